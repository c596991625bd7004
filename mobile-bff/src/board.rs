//! The workers' board: hazards found in the worker's enterprise and how they were handled,
//! with nothing about who reported them (see `qingling_api::services::board`).

use actix_web::{get, web};
use qingling_api::AppContext;
use qingling_api::error::AppError;
use qingling_api::http::extract::AuthUser;
use qingling_api::http::problem::Problem;
use qingling_api::services::board::{self, BoardPage, BoardQuery};

/// Hazards of my enterprise, newest first: level, area, status, found and closed days, measures
/// and source — never who reported them.
#[utoipa::path(tag = "phone", security(("bearer" = [])), params(BoardQuery), responses(
    (status = 200, body = BoardPage), (status = 400, body = Problem), (status = 403, body = Problem)))]
#[get("/hazards")]
pub async fn list_board_hazards(
    ctx: web::Data<AppContext>,
    user: AuthUser,
    q: web::Query<BoardQuery>,
) -> Result<web::Json<BoardPage>, AppError> {
    board::board(&ctx, &user.0, q.into_inner())
        .await
        .map(web::Json)
}
