//! Resolving the codes on intake posters and area QR codes.

use diesel::prelude::*;

use crate::context::AppContext;
use crate::domain::Sector;
use crate::error::{AppError, AppResult};
use crate::store::enterprises::{self, EnterpriseRow};
use crate::store::schema::areas;

/// The enterprise (and area) a code points at.
#[derive(Debug, Clone)]
pub struct IntakeTarget {
    /// The enterprise.
    pub enterprise: EnterpriseRow,
    /// Its sector.
    pub sector: Sector,
    /// The area, when the code was an area's QR token.
    pub area_id: Option<String>,
    /// All areas of the enterprise: `(id, name)`.
    pub areas: Vec<(String, String)>,
}

/// Finds the target of an intake code or area QR token; unknown codes are 404.
pub async fn resolve(ctx: &AppContext, code: String) -> AppResult<IntakeTarget> {
    let code = code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 64 {
        return Err(AppError::not_found());
    }
    ctx.db(move |conn| {
        let (enterprise, area_id) = match enterprises::find_by_intake_code(conn, &code)? {
            Some(e) => (e, None),
            None => {
                let (area_id, ent_id): (String, String) = areas::table
                    .filter(areas::qr_token.eq(&code))
                    .select((areas::id, areas::enterprise_id))
                    .first(conn)
                    .optional()?
                    .ok_or_else(AppError::not_found)?;
                let e = enterprises::find(conn, &ent_id)?.ok_or_else(AppError::not_found)?;
                (e, Some(area_id))
            }
        };
        let sector = Sector::parse(&enterprise.sector)
            .ok_or_else(|| AppError::internal(anyhow::anyhow!("unknown sector")))?;
        let areas = enterprises::list_areas(conn, &enterprise.id)?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        Ok(IntakeTarget {
            enterprise,
            sector,
            area_id,
            areas,
        })
    })
    .await
}
