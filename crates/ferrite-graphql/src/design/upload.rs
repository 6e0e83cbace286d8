//! `POST /files/upload`: a design file as the multipart field `file`, with a token carrying
//! `design.domain` (as a Bearer or `token` header). Answers `{"id": "..."}`, the id
//! `desUploadProject` takes; the file is kept for an hour, for the uploader only. Refusals are
//! JSON `{"error": code, "message": ...}` with a status that says why: 401 for the token, 403 for
//! the scope, 400 for the form, 413 for a file over the limit, 429 (with `Retry-After`) for an
//! upload that would put its uploader or organization past their quota of bytes waiting to
//! become projects ([`UploadLimits`]).

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, Multipart, State, multipart::MultipartRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use ferrite_core::scope::Scope;
use ferrite_design::limits::MAX_FILE_BYTES;
use ferrite_identity::{Identity, TokenError};
use ferrite_store::{NewDesignFile, QuotaHolder, SaveFileError, StoreError, UploadQuota};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::uploading_org;
use crate::errors::TOKEN_INVALID_MESSAGE;

/// How long an upload waits for `desUploadProject`.
pub const FILE_LIFETIME: chrono::Duration = chrono::Duration::hours(1);
/// Room for the multipart framing around the file.
const FORM_OVERHEAD: usize = 64 * 1024;
/// How often `ferrite serve` removes expired files.
pub const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// The most bytes of uploaded files waiting to become projects (the `[uploads]` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadLimits {
    /// Per person (or app acting for itself), in all their organizations together.
    pub pending_bytes_per_person: u64,
    pub pending_bytes_per_org: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        // Five of the largest files (10 MiB) per person, twenty per organization.
        Self { pending_bytes_per_person: 50 << 20, pending_bytes_per_org: 200 << 20 }
    }
}

impl From<UploadLimits> for UploadQuota {
    fn from(limits: UploadLimits) -> Self {
        UploadQuota { per_uploader: limits.pending_bytes_per_person, per_org: limits.pending_bytes_per_org }
    }
}

#[derive(Clone)]
struct UploadState {
    identity: Arc<Identity>,
    quota: UploadQuota,
}

pub fn routes(identity: Arc<Identity>, limits: UploadLimits) -> Router {
    Router::new()
        .route("/files/upload", post(upload).layer(DefaultBodyLimit::max(MAX_FILE_BYTES + FORM_OVERHEAD)))
        .with_state(UploadState { identity, quota: limits.into() })
}

/// Removes the uploads expired at `now` (uploads also remove them; `ferrite serve` every
/// [`SWEEP_EVERY`]).
pub async fn remove_expired_files(identity: &Identity, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    let removed = identity.store().remove_expired_design_files(now).await?;
    if removed > 0 {
        tracing::info!(files = removed, "expired design files removed");
    }
    Ok(())
}

fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": code, "message": message.into() }))).into_response()
}

fn too_large() -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        "FileTooLarge",
        format!("The file is larger than the limit of {} MiB.", MAX_FILE_BYTES / (1024 * 1024)),
    )
}

/// 429: storing the file would pass a quota; it frees up as waiting files expire or make projects.
fn over_quota(holder: QuotaHolder, limit: u64, pending: u64, retry_after: Option<i64>) -> Response {
    let whose = match holder {
        QuotaHolder::Uploader => "your",
        QuotaHolder::Organization => "your organization's",
    };
    let mib = |bytes: u64| format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20));
    let message = format!(
        "Files waiting to become projects already hold {} of {whose} {}: make projects of them (desUploadProject) \
         or wait for them to expire, an hour after upload.",
        mib(pending),
        mib(limit)
    );
    let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, "UploadQuotaExceeded", message);
    if let Some(seconds) = retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, seconds.max(1).into());
    }
    response
}

async fn upload(
    State(UploadState { identity, quota }): State<UploadState>,
    headers: HeaderMap,
    form: Result<Multipart, MultipartRejection>,
) -> Response {
    let claims = match crate::http::token(&headers).map(|t| identity.verify_access_token(t)) {
        Some(Ok(claims)) => claims,
        Some(Err(TokenError::Expired)) => {
            return refuse(StatusCode::UNAUTHORIZED, "AuthExpiredToken", TOKEN_INVALID_MESSAGE);
        }
        _ => return refuse(StatusCode::UNAUTHORIZED, "AuthInvalidToken", TOKEN_INVALID_MESSAGE),
    };
    if !claims.has_scope(Scope::DesignDomain) {
        return refuse(
            StatusCode::FORBIDDEN,
            "AuthMissingScope",
            "Uploading design files needs the `design.domain` scope.",
        );
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_FILE_BYTES + FORM_OVERHEAD) {
        return too_large();
    }
    let mut form = match form {
        Ok(form) => form,
        Err(rejection) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                format!("Send a multipart form with a `file` field: {}", rejection.body_text()),
            );
        }
    };
    let (name, bytes) = loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("upload").chars().take(200).collect::<String>();
                match read_field(field).await {
                    Ok(bytes) => break (name, bytes),
                    Err(response) => return response,
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => return refuse(StatusCode::BAD_REQUEST, "BadRequest", "The form has no `file` field."),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(err) => {
                return refuse(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("The form could not be read: {}", err.body_text()),
                );
            }
        }
    };
    if bytes.is_empty() {
        return refuse(StatusCode::BAD_REQUEST, "BadRequest", "The file is empty.");
    }
    let store = identity.store();
    let org = match uploading_org(store, &claims).await {
        Ok(Some(org)) => org,
        Ok(None) => return refuse(StatusCode::UNAUTHORIZED, "AuthInvalidToken", TOKEN_INVALID_MESSAGE),
        Err(err) => return internal(err),
    };
    let now = identity.now();
    let new = NewDesignFile {
        org,
        uploader: &claims.sub,
        client_id: &claims.client_id,
        name: &name,
        content: &bytes,
        expires_at: now + FILE_LIFETIME,
    };
    match store.save_design_file(&new, quota, now).await {
        Ok(file) => Json(json!({ "id": file.id.to_string() })).into_response(),
        Err(SaveFileError::OverQuota { holder, limit, pending, frees_at }) => {
            over_quota(holder, limit, pending, frees_at.map(|at| (at - now).num_seconds()))
        }
        Err(SaveFileError::Store(StoreError::StorageFull(err))) => {
            tracing::error!(error = %err, "an upload could not be stored: the disk is full");
            let message = "The server has no room for the file now. Try again later, or ask the operator to make room.";
            refuse(StatusCode::INSUFFICIENT_STORAGE, "InsufficientStorage", message)
        }
        Err(SaveFileError::Store(err)) => internal(err),
    }
}

/// The field's bytes, stopping at the limit rather than reading on.
async fn read_field(mut field: axum::extract::multipart::Field<'_>) -> Result<Vec<u8>, Response> {
    let mut bytes = Vec::new();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > MAX_FILE_BYTES {
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(bytes),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(err) => {
                return Err(refuse(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("The file could not be read: {}", err.body_text()),
                ));
            }
        }
    }
}

fn internal(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "an upload could not be stored");
    refuse(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", "Internal error. Please try again later.")
}
