//! Notifications to the people who must act: the channels each enterprise (set by its principal
//! or an admin) and each jurisdiction (for the bureau, set by an admin) has — a WeCom group
//! robot, a DingTalk group robot with its signing secret, e-mail addresses — and the messages
//! written to the outbox when something needs them.
//!
//! Workers are never notified here: a message to a third-party group would tell it who
//! reported. They see news when they open their follow-up.
//!
//! The settings are sealed at rest ([`Purpose::Notification`], bound to the owner), and shown
//! masked: a robot URL carries its access key in the query string.

pub mod events;
pub mod reminders;

use qingling_crypto::{Context, KeyRing, Purpose, Sealed};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::context::AppContext;
use crate::domain::access::EnterpriseAccess;
use crate::domain::notification::{self, ChannelSettings};
use crate::domain::{Actor, Role, inputs};
use crate::error::{AppError, AppResult};
use crate::services::admin::enterprise_for;
use crate::services::audit;
use crate::store::notifications::{self as store, ChannelRow};
use crate::store::{DbConn, time, write_tx};

/// Who receives: an enterprise (its managers' groups and mailboxes) or a jurisdiction (the
/// bureau's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// By enterprise id.
    Enterprise(String),
    /// By jurisdiction path.
    Jurisdiction(String),
}

impl Owner {
    /// `enterprise` or `jurisdiction`, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Enterprise(_) => "enterprise",
            Self::Jurisdiction(_) => "jurisdiction",
        }
    }

    /// The id or path.
    pub fn id(&self) -> &str {
        match self {
            Self::Enterprise(id) | Self::Jurisdiction(id) => id,
        }
    }

    /// The owner of a stored row.
    pub fn of(row: &ChannelRow) -> Self {
        if row.owner_type == "jurisdiction" {
            Self::Jurisdiction(row.owner_id.clone())
        } else {
            Self::Enterprise(row.owner_id.clone())
        }
    }

    /// The sealing context: the owner is the "enterprise" of the derived key and the record.
    fn seal_scope(&self) -> String {
        format!("notify:{}:{}", self.kind(), self.id())
    }
}

/// Body of `PUT …/notifications`: replaces all of the owner's channels; a field left out or
/// empty removes that channel.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelsRequest {
    /// WeCom (企业微信) group robot URL, `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`.
    #[schema(
        max_length = 2000,
        pattern = r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(/[!-~]*)?$",
        example = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY"
    )]
    pub wecom_webhook: Option<String>,
    /// DingTalk (钉钉) group robot URL, `https://oapi.dingtalk.com/robot/send?access_token=…`.
    #[schema(
        max_length = 2000,
        pattern = r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(/[!-~]*)?$",
        example = "https://oapi.dingtalk.com/robot/send?access_token=TOKEN"
    )]
    pub dingtalk_webhook: Option<String>,
    /// The DingTalk robot's 加签 secret (`SEC…`); required with `dingtalk_webhook`.
    #[schema(max_length = 200, pattern = r"^[!-~]*$", example = "SECxxxxxxxx")]
    pub dingtalk_secret: Option<String>,
    /// E-mail addresses (at most 10).
    #[schema(max_items = 10, inline, value_type = Option<Vec<crate::http::openapi::NotificationEmail>>)]
    pub emails: Option<Vec<String>>,
}

/// The channels as shown: URLs with their keys masked, the secret only as set or not.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelsView {
    /// `enterprise` or `jurisdiction`.
    pub owner_type: String,
    /// Enterprise id or jurisdiction path.
    pub owner_id: String,
    /// Masked WeCom robot URL.
    pub wecom_webhook: Option<String>,
    /// Masked DingTalk robot URL.
    pub dingtalk_webhook: Option<String>,
    /// Whether a DingTalk secret is set (never shown).
    pub dingtalk_secret_set: bool,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// When last set (absent if never).
    pub updated_at: Option<String>,
}

fn view(owner: &Owner, s: &ChannelSettings, updated_at: Option<String>) -> ChannelsView {
    ChannelsView {
        owner_type: owner.kind().to_owned(),
        owner_id: owner.id().to_owned(),
        wecom_webhook: s.wecom_webhook.as_deref().map(notification::mask_url),
        dingtalk_webhook: s.dingtalk_webhook.as_deref().map(notification::mask_url),
        dingtalk_secret_set: s.dingtalk_secret.is_some(),
        emails: s.emails.clone(),
        updated_at,
    }
}

/// Opens an owner's sealed settings.
pub fn open(keys: &KeyRing, row: &ChannelRow) -> AppResult<ChannelSettings> {
    let owner = Owner::of(row);
    let scope = owner.seal_scope();
    let sealed = Sealed::from_bytes(&row.sealed).map_err(AppError::internal)?;
    let plain = keys
        .open(
            Purpose::Notification,
            &Context::new(&scope, "channels"),
            &sealed,
        )
        .map_err(AppError::internal)?;
    serde_json::from_slice(plain.expose_secret()).map_err(AppError::internal)
}

fn seal(keys: &KeyRing, owner: &Owner, s: &ChannelSettings) -> AppResult<Vec<u8>> {
    let scope = owner.seal_scope();
    let plain = zeroize::Zeroizing::new(serde_json::to_vec(s).map_err(AppError::internal)?);
    Ok(keys
        .seal(
            Purpose::Notification,
            &Context::new(&scope, "channels"),
            &plain,
        )
        .map_err(AppError::internal)?
        .to_bytes())
}

/// Checks that the actor may set or read the owner's channels: an enterprise's principal or an
/// admin for an enterprise (404 if the enterprise is not visible), an admin for a jurisdiction.
fn authorise(conn: &mut DbConn, actor: &Actor, owner: &Owner) -> AppResult<()> {
    match owner {
        Owner::Enterprise(id) => {
            let ent = enterprise_for(conn, actor, id, EnterpriseAccess::Read)?;
            if actor.is_admin() || (actor.role == Role::Principal && actor.is_member_of(&ent.id)) {
                Ok(())
            } else {
                Err(AppError::forbidden())
            }
        }
        Owner::Jurisdiction(_) if actor.is_admin() => Ok(()),
        Owner::Jurisdiction(_) => Err(AppError::forbidden()),
    }
}

fn owner_from(kind: &str, id: String) -> AppResult<Owner> {
    Ok(if kind == "jurisdiction" {
        Owner::Jurisdiction(inputs::jurisdiction(&id)?)
    } else {
        Owner::Enterprise(id)
    })
}

/// The owner's channels, masked.
pub async fn get_channels(
    ctx: &AppContext,
    actor: &Actor,
    kind: &'static str,
    id: String,
) -> AppResult<ChannelsView> {
    let owner = owner_from(kind, id)?;
    let (actor, keys) = (actor.clone(), ctx.keys.clone());
    ctx.db(move |conn| {
        authorise(conn, &actor, &owner)?;
        match store::find(conn, owner.kind(), owner.id())? {
            Some(row) => Ok(view(
                &owner,
                &open(&keys, &row)?,
                Some(time::to_rfc3339(row.updated_at)),
            )),
            None => Ok(view(&owner, &ChannelSettings::default(), None)),
        }
    })
    .await
}

/// Replaces the owner's channels; the audit log records which channels are set, not their
/// URLs or secret.
pub async fn put_channels(
    ctx: &AppContext,
    actor: &Actor,
    kind: &'static str,
    id: String,
    req: ChannelsRequest,
) -> AppResult<ChannelsView> {
    let owner = owner_from(kind, id)?;
    let settings = ChannelSettings::parse(
        req.wecom_webhook,
        req.dingtalk_webhook,
        req.dingtalk_secret,
        req.emails,
    )?;
    let (actor, keys) = (actor.clone(), ctx.keys.clone());
    ctx.db(move |conn| {
        write_tx(conn, |conn| {
            authorise(conn, &actor, &owner)?;
            let now = time::now();
            let names = settings.channel_names();
            store::upsert(
                conn,
                &ChannelRow {
                    owner_type: owner.kind().to_owned(),
                    owner_id: owner.id().to_owned(),
                    channels: names.join(","),
                    sealed: seal(&keys, &owner, &settings)?,
                    updated_by: actor.user_id.clone(),
                    updated_at: now,
                },
            )?;
            audit::record(
                conn,
                Some(&actor),
                "notifications.set",
                owner.kind(),
                Some(owner.id()),
                serde_json::json!({ "channels": names, "emails": settings.emails.len() }),
            )?;
            Ok(view(&owner, &settings, Some(time::to_rfc3339(now))))
        })
    })
    .await
}
