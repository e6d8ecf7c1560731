//! Valomnia's contacts API, version 2.1 (seed 003 `POST /api/{VERSION}/contacts/{id}`;
//! siblings 4), and the connector API of Valomnia's MuleSoft connector, as a translator onto
//! the core. Changes are recorded as made through `Surface::Valomnia`.
//!
//! | path | methods |
//! |---|---|
//! | `/j_spring_security_check` | `POST` (or `GET`): login, 302 to `<base>/login/ajaxSuccess` with `JSESSIONID`, or to `<base>/login/authfail` ([`auth`]) |
//! | `/login/ajaxSuccess` | `GET` or `POST`: `{"success", "token", "user"}` |
//! | `/login/authfail` | `GET` or `POST`: the refused login's error |
//! | `/api/{VERSION}/contacts` | `GET` list (paging, filters), `POST` create (201) |
//! | `/api/{VERSION}/contacts/{id}` | `GET` show, `POST` update (the seed), `DELETE` (204) |
//! | `/api/{VERSION}/customers/{id}`, `/api/{VERSION}/users/{id}` | `GET`: the `href` targets |
//! | `/<uploadDirectory>/photoContact/<file>` | `GET`: a photo; `small_`/`medium_` before the file name for the variants |
//! | `/ContactConnector/{list,saveOrUpdate}`, `/CustomerConnector/{list,saveOrUpdate}` | the connector API ([`connector`]) |
//!
//! Bodies are `application/x-www-form-urlencoded` or `multipart/form-data` ([`params`]);
//! fields map onto the model as [`map`] tables; errors are `{"error", "error_description"}`
//! ([`error`]). Write routes accept bodies up to the 2 MB photo plus 256 KiB of form data;
//! a larger body is `exceeded_file_size`.
//!
//! Choices where the pages are silent:
//! - `{VERSION}` is `v` and a dotted number; `href`s repeat the request's version.
//! - The session is the core's login token ([`auth`]); requests without a valid one get 401
//!   `no_credentials`, a role that may not write 403 `access_denied`.
//! - `<base>`, in login redirects and photo URLs, is the configured `public_url` (never the
//!   request's `Host`, which the client sets); without one, `http://` and the address the
//!   server listens on.
//! - `organization` is the tenant's code; `uploadDirectory` is `/<code>-<tenant id>`, and
//!   photo URLs are `<base>/<uploadDirectory>/photoContact/<contact id>_<photo name>`. They
//!   need no session, as Valomnia's own are public files: the photo's name, 128 random bits,
//!   is the credential (`PhotoService::shared_file`), so a client can hand the URL to a
//!   browser. A URL stops working when its photo is replaced or removed.
//! - A contact created here is owned by (its `user` is) the user who created it; a contact
//!   without an owner shows the user who wrote it as its `user` ([`map::user_of`]).
//! - Update changes the fields whose parameters are sent (an empty value clears) and needs
//!   `customerId` to name the contact's own customer (`save_failed` otherwise).
//! - List: `max` 1-1000 (default 100), `offset` from 0, `sort` one of `id`, `lastName`,
//!   `dateCreated`, `lastUpdated`, `order` `asc` or `desc`; `customerReference`, `firstName`
//!   and `lastName` filters match whole values ignoring case. `previous`/`next` are links
//!   with the request's parameters and `max`/`offset`. The total is counted by walking the
//!   matches, so a list costs time in proportion to its matches.
//! - Delete answers 204 without a body.
//! - `useExternalId=true` switches `customerId` (and a customer's `{id}`) to the customer's
//!   reference and a contact's `{id}` to its external id.

mod auth;
mod connector;
mod connector_map;
mod dto;
mod error;
mod handlers;
mod map;
mod params;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use rolodex_domain::photo::MAX_PHOTO_BYTES;

/// The largest body of a write: the photo and the rest of a multipart form.
const WRITE_BODY_LIMIT: usize = MAX_PHOTO_BYTES + 256 * 1024;

/// Valomnia's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/j_spring_security_check",
            get(handlers::login).post(handlers::login),
        )
        .route(
            "/login/ajaxSuccess",
            get(handlers::ajax_success).post(handlers::ajax_success),
        )
        .route(
            "/login/authfail",
            get(handlers::auth_fail).post(handlers::auth_fail),
        )
        .route(
            "/api/{version}/contacts",
            get(handlers::list)
                .post(handlers::create)
                .layer(DefaultBodyLimit::max(WRITE_BODY_LIMIT)),
        )
        .route(
            "/api/{version}/contacts/{id}",
            get(handlers::show)
                .post(handlers::update)
                .delete(handlers::delete)
                .layer(DefaultBodyLimit::max(WRITE_BODY_LIMIT)),
        )
        .route("/api/{version}/customers/{id}", get(handlers::customer))
        .route("/api/{version}/users/{id}", get(handlers::user))
        .route("/{directory}/photoContact/{file}", get(handlers::photo))
        .route("/ContactConnector/list", get(connector::list_contacts))
        .route(
            "/ContactConnector/saveOrUpdate",
            post(connector::save_contact),
        )
        .route("/CustomerConnector/list", get(connector::list_customers))
        .route(
            "/CustomerConnector/saveOrUpdate",
            post(connector::save_customer),
        )
}
