//! Expandable ERP, both generations of its API, as translators onto the core: the classic
//! Web API (seed 000 `POST api/CustomerContact/Update`; siblings 1) in [`classic`], and the
//! newer API (seed 001 `POST /api/customer-contact-create`; siblings 2) in [`eapi`]. They
//! share the Customer Contact record ([`fields`], [`record`]) and the Customer record
//! ([`customer_fields`]), the query by example ([`criteria`]), the body reading ([`body`]),
//! the failures ([`fault`]), the logins ([`session`]) and the calls onto the core
//! ([`contacts`], [`customers`]); each renders its own envelope. Changes are recorded as made
//! through `Surface::ExpandableClassic` or `Surface::Expandable`.
//!
//! Endpoints:
//!
//! | classic (token: `AuthToken` header) | newer (token: `AUTH_TOKEN` member) |
//! |---|---|
//! | `POST /api/Security/Login` -> `{}`, token in the `AuthToken` header | `POST /api/auth-token-get` -> `{"AUTH_TOKEN"}` |
//! | `POST /api/CustomerContact/Create` -> the record | `POST /api/customer-contact-create` -> the record |
//! | `POST /api/CustomerContact/Update` -> the record | `POST /api/customer-contact-update` -> the record |
//! | `POST /api/CustomerContact/Query` -> `[records]` (both keys: a Find) | `POST /api/customer-contact-query` -> `{"CUSTOMER_CONTACTS": [records]}`; `POST /api/customer-contact-get` -> the record |
//! | `POST /api/CustomerContact/Delete` -> `{}` | `POST /api/customer-contact-delete` -> `{}` |
//! | `POST /api/Customer/Create`, `/api/Customer/Update` -> the customer record | `POST /api/customer-create`, `/api/customer-update`, `/api/customer-get` -> the customer record |
//! | `POST /api/Customer/Query` -> `[customer records]` | `POST /api/customer-query` -> `{"CUSTOMERS": [customer records]}` |
//! | | `POST /api/api-version-get` -> `{"API_VERSION"}`, `POST /api/server-time-get` -> `{"SERVER_TIME"}` (RFC 3339 UTC), `POST /api/data-sources-get` -> `{"DATA_SOURCES": [{"DATA_SOURCE", "NAME"}]}` |
//!
//! Choices where the pages are silent (siblings "Where the vendors' pages are silent"):
//! - Auth: one token for every surface. `DataSource`/`DATA_SOURCE` is the tenant's code; the
//!   token is bound to that tenant and every call acts in it. A native token works in
//!   `AuthToken` and `AUTH_TOKEN` (in its own or the user's only tenant), and these tokens
//!   work in `Authorization: Bearer`. Their lifetime is the session's (8 hours by default).
//! - Logins list no 401: a refused login is 500 "Login failed." (`LOGIN_FAILED`), without
//!   saying whether the user exists; a throttled one is 500 `TOO_MANY_ATTEMPTS` with the
//!   seconds to wait. All three login members are required (500 `REQUIRED`).
//! - Statuses are only the documented ones: 400 when the body is not a JSON object of
//!   strings (`null` reads as `""`) or has a member the call does not accept (an unknown
//!   member, a read-only one where the call writes nothing, for the newer API `SLX_ID`;
//!   `AUTH_TOKEN` in a classic body; a member sent twice); 401 for the token; 405 for a
//!   method other than POST (the newer API's text; the classic API answers as ASP.NET Web
//!   API does, in its envelope); 500 for everything else. A 400's message is the page's
//!   "Request JSON is invalid." followed by what is wrong.
//! - The newer API has no "expired" text: it answers "Auth Token is expired.".
//! - `MessageCode`/`MESSAGE_CODE` values (stable): `INVALID_JSON`, `AUTH_TOKEN_MISSING`,
//!   `AUTH_TOKEN_MALFORMED`, `AUTH_TOKEN_EXPIRED`, `AUTH_TOKEN_LOGIN_FAILURE`,
//!   `METHOD_NOT_ALLOWED`, and with 500: `REQUIRED`, `NOTHING_TO_UPDATE`, `NO_CRITERIA`,
//!   `INVALID_CRITERION`, `UNSUPPORTED_CRITERION`, `TOO_MANY_MATCHES`, `CUSTOMER_NOT_FOUND`,
//!   `CONTACT_NOT_FOUND`, `NOT_FOUND`, `VALIDATION` (the message names Expandable fields),
//!   `DUPLICATE`, `CONFLICT`, `FORBIDDEN` (a viewer's write), `LOGIN_FAILED`,
//!   `TOO_MANY_ATTEMPTS`, `INTERNAL`.
//! - Create (classic: `api/CustomerContact/Create`, siblings 1.6) takes Update's members and
//!   needs both keys; Update needs both keys and at least one other field; only the fields
//!   sent change, and an empty value clears one. Keys are matched ignoring case.
//! - Read, change, post back: Create and Update ignore the record's read-only fields
//!   (`CREATED_BY`, `DATE_CREATED`, `MODIFIED_BY`, `DATE_MODIFIED`, `OPERATOR_ID`,
//!   `DATE_LAST_UPDT`, `TIME_LAST_UPDT`) whatever their value, so a client may post back a
//!   whole record it read with one field changed: the unchanged fields change nothing.
//! - Countries: `COUNTRY` is written as an ISO 3166-1 alpha-2 or alpha-3 code or an English
//!   name (the domain's rule, `rolodex_domain::country`; the model keeps alpha-2), and both
//!   generations read it as the alpha-3 code, because Expandable's own examples write
//!   `"USA"` (siblings 1.3): a client that writes alpha-3 reads back what it wrote; one that
//!   writes another form reads the alpha-3 code of the same country. Query criteria name
//!   countries the same way (`=`, `<>`, `IN`, `NOT IN`); `LIKE` and `<`/`>` compare with the
//!   alpha-2 code the model keeps.
//! - Letter case: the classic API is an ASP.NET Web API, which matches routes and binds JSON
//!   members ignoring case, so its paths (`/api/customercontact/create`) and members
//!   (`first_name`) are matched ignoring case too. The newer API matches them as its pages
//!   spell them.
//! - Customers (both generations list a Customer area; its pages are NOT FOUND): the
//!   Customer record of [`customer_fields`], created, read, updated and queried in the
//!   contact calls' style, `CUSTOMER_ID` the key. A customer Query takes `CUSTOMER_ID` equal
//!   to a code or `IN` a list of codes (the core finds customers by code; it has no field
//!   criteria for customers), and refuses other criteria with `UNSUPPORTED_CRITERION`. There
//!   is no customer delete.
//! - Records: exactly the page's fields in its order, every value a string (`""` when empty);
//!   dates `YYYY-MM-DD` and times `HH:MM:SS`, UTC (see [`record`]).
//! - Query returns every match, up to 5,000 (500 `TOO_MANY_MATCHES` past that); an empty
//!   criteria body is 500 `NO_CRITERIA`; conditions as in [`criteria`]. The newer API's
//!   query takes the same criteria (without `SLX_ID`, which it does not know).
//! - The newer API's utility calls: version and server time need no token (a sent
//!   `AUTH_TOKEN` is ignored); data sources need one and list the tenants its user belongs
//!   to (the vendor's list is per install; Rolodex's tenants do not see each other's codes).
//! - Deviations: emails are a list without holes (see [`fields`]); an attachment containing
//!   `|` cannot be told apart from two; an address line containing a line break is refused.

mod body;
mod classic;
mod contacts;
mod criteria;
mod customer_fields;
mod customers;
mod eapi;
mod fault;
mod fields;
mod record;
mod session;

use crate::state::AppState;
use axum::Router;

pub use classic::AnyCase as ClassicAnyCase;

/// Both generations' routes, at the paths as the pages spell them (see [`ClassicAnyCase`] for
/// the classic paths in other letter cases).
pub fn router() -> Router<AppState> {
    Router::new().merge(classic::router()).merge(eapi::router())
}
