//! Pages for people, under `/app`: sign in, contacts, customers, history and the tenant's
//! administration, rendered on the server (askama templates in `templates/pages/`) with one
//! small script of our own for search as you type and photo previews. Every form posts
//! back to the server and works without the script.
//!
//! Pages are a surface like the others: they translate forms into the same use-case calls
//! as the native API (its body mapping included) and never touch storage. A session is a
//! login token kept in an HttpOnly cookie (see [`session`]); every form carries a CSRF token
//! derived from it.

mod admin;
mod contacts;
mod customers;
mod form;
mod history;
mod session;
mod sign_in;

use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use rolodex_core::{AuthFailure, CoreError};
use rolodex_domain::ValidationErrors;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tower_http::set_header::SetResponseHeaderLayer;

pub use session::Chrome;

/// Where the pages live.
pub const BASE: &str = "/app";

/// The script and style sheet, served by the binary itself.
const APP_JS: &str = include_str!("../../static/app.js");
const APP_CSS: &str = include_str!("../../static/app.css");

/// What a page may load and where its forms may go: only this server.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

pub fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/app", get(sign_in::home))
        .route("/app/login", get(sign_in::form).post(sign_in::submit))
        .route("/app/logout", post(sign_in::logout))
        .route("/app/tenant", get(sign_in::tenants).post(sign_in::choose))
        .route("/app/contacts", get(contacts::list))
        .route(
            "/app/contacts/{id}",
            get(contacts::show).post(contacts::delete),
        )
        .route(
            "/app/contacts/{id}/edit",
            get(contacts::edit).post(contacts::save),
        )
        .route(
            "/app/contacts/{id}/photo",
            get(contacts::photo)
                .post(contacts::upload)
                .layer(DefaultBodyLimit::max(contacts::UPLOAD_FORM_LIMIT)),
        )
        .route(
            "/app/contacts/{id}/photo/remove",
            post(contacts::remove_photo),
        )
        .route("/app/contacts/{id}/history", get(history::contact))
        .route(
            "/app/contacts/{id}/history/{entry}/restore",
            post(history::restore_contact),
        )
        .route("/app/customers", get(customers::list))
        .route(
            "/app/customers/new",
            get(customers::new_form).post(customers::create),
        )
        .route("/app/customers/{id}", get(customers::show))
        .route(
            "/app/customers/{id}/edit",
            get(customers::edit).post(customers::save),
        )
        .route(
            "/app/customers/{id}/contacts/new",
            get(contacts::new_form).post(contacts::create),
        )
        .route("/app/customers/{id}/history", get(history::customer))
        .route(
            "/app/customers/{id}/history/{entry}/restore",
            post(history::restore_customer),
        )
        .route("/app/admin", get(admin::users).post(admin::add_user))
        .route("/app/admin/users/{id}", post(admin::change_user))
        .route("/app/admin/keys", get(admin::keys).post(admin::create_key))
        .route("/app/admin/keys/{id}/revoke", post(admin::revoke_key))
        .route(
            "/app/admin/oauth",
            get(admin::clients).post(admin::register_client),
        )
        .route("/app/admin/oauth/{id}/revoke", post(admin::revoke_client))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ));
    Router::new()
        .route("/", get(|| async { Redirect::to(BASE) }))
        .route("/app/static/app.js", get(script))
        .route("/app/static/app.css", get(style))
        .merge(pages)
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", APP_JS)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", APP_CSS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// A rendered page.
fn render(page: &impl Template) -> Response {
    render_with(StatusCode::OK, page)
}

/// A rendered page with another status than 200 (a form shown again with its errors: 422).
fn render_with(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be shown",
            )
                .into_response()
        }
    }
}

/// After a form's POST: see the result at `to` (303, so that reloading does not post again).
fn see(to: String) -> Response {
    Redirect::to(&to).into_response()
}

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    status: u16,
    title: &'a str,
    message: String,
}

/// Why a page cannot be shown: not signed in (to the sign-in page), or an error shown as a
/// page of its own.
#[derive(Debug)]
pub enum PageError {
    SignIn {
        next: String,
    },
    ChooseTenant,
    Core(CoreError),
    /// A form without its session's CSRF token.
    Forged,
}

impl From<CoreError> for PageError {
    fn from(e: CoreError) -> Self {
        PageError::Core(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            PageError::SignIn { next } => {
                return see(format!("{BASE}/login?next={}", form::url_encode(&next)));
            }
            PageError::ChooseTenant => return see(format!("{BASE}/tenant")),
            PageError::Forged => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form was not sent from this session's page. Go back, reload the page \
                 and try again."
                    .to_owned(),
            ),
            PageError::Core(CoreError::Unauthenticated(
                AuthFailure::Expired | AuthFailure::Revoked | AuthFailure::Unknown,
            )) => {
                return see(format!("{BASE}/login"));
            }
            PageError::Core(e) => {
                let status = match &e {
                    CoreError::NotFound { .. } => StatusCode::NOT_FOUND,
                    CoreError::Forbidden { .. } => StatusCode::FORBIDDEN,
                    CoreError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
                    CoreError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    CoreError::Conflict { .. } | CoreError::PreconditionFailed => {
                        StatusCode::CONFLICT
                    }
                    CoreError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                    CoreError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
                    CoreError::Internal(inner) => {
                        tracing::error!(error = %inner, "a page failed");
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                };
                let title = match status {
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::FORBIDDEN => "Not allowed",
                    StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
                    _ => "Cannot do that",
                };
                let message = match &e {
                    CoreError::Internal(_) => {
                        "The server could not finish this request. Try again later.".to_owned()
                    }
                    other => sentence(&other.to_string()),
                };
                (status, title, message)
            }
        };
        render_with(
            status,
            &ErrorPage {
                chrome: None,
                flash: None,
                status: status.as_u16(),
                title,
                message,
            },
        )
    }
}

/// `text` with a capital first letter and a full stop, for messages shown on a page.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

type PageResult = Result<Response, PageError>;

/// What a page reached after a form says was done (`?done=saved`), shown once at its top.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    pub fn flash(&self) -> Option<&'static str> {
        match self.done.as_deref()? {
            "saved" => Some("Saved."),
            "created" => Some("Created."),
            "photo" => Some("Photo saved."),
            "photo_removed" => Some("Photo removed."),
            "restored" => Some("Restored from history."),
            "unchanged" => Some("Nothing to change: the values are the current ones."),
            "stale" => Some(
                "It changed since this page was shown: look at the history again before \
                 restoring.",
            ),
            "added" => Some("User added."),
            "changed" => Some("User changed."),
            "revoked" => Some("Revoked."),
            _ => None,
        }
    }
}

/// A form with nothing but its CSRF token (a button).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// An instant as pages show it.
fn when(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

/// Validation errors as one line, for forms that show them at the top.
fn listed(errors: &ValidationErrors) -> String {
    errors
        .0
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_sentences() {
        assert_eq!(sentence("contact not found"), "Contact not found.");
        assert_eq!(sentence("Done."), "Done.");
    }
}
