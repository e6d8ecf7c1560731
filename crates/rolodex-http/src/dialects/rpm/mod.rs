//! RPM Software's API (<https://api.rpmsoftware.com/api/customercontactedit/> and the customer
//! calls beside it), as a translator onto the core, in the shapes RPM's own Node.js library
//! (<https://github.com/rpmsoftware/integration-common>, `lib/api-wrappers.js`) sends and reads.
//! Changes are recorded as made through `Surface::Rpm`.
//!
//! Every call is `POST /rpm/api2.svc/<Call>` (also `/rpm/Api2.svc/`; call names compare
//! ignoring case) with a JSON object body, answered `{"Result": {...}}`:
//!
//! | call | input | result |
//! |---|---|---|
//! | `Customer` | `CustomerID`, or the name as `Customer`; `IncludeLocations` (default true) | the customer, its `Contacts` as `[{Contact, IsPrimary}]`, `Fields` its custom fields |
//! | `Customers` | none | `{Age, Customers: [{Customer, CustomerID, Added, Modified}]}` |
//! | `CustomerSearch` | `Search`; `Field` (`Name`, the default) | `{Customers: [...]}` as `Customers` lists them: those whose name or code starts with `Search`, ignoring case |
//! | `CustomerAdd` | `Customer: {Name (required, unique), Address, City, StateProvince, ZipPostalCode, Country, Website, Fields, Contacts: [one contact] or PrimaryContact}` | as `Customer` |
//! | `CustomerEdit` | `Customer: {...}` as for add, without contacts, with `CustomerID` in it (or beside it); without an id, `Customer.Name` names the customer; members not sent stay | as `Customer` |
//! | `CustomerContactAdd` | `CustomerID`, `Contact`, `IsPrimary` | `{Contact}` |
//! | `CustomerContactEdit` | `CustomerID`, `Contact` with `ContactID`, `IsPrimary` | `{Contact}` |
//! | `CustomerLocationAdd` | `CustomerID`, `Location: {Name, Address, City, StateProvince, ZipPostalCode, Country, IsPrimary}` | `{Location}` |
//! | `CustomerLocationEdit` | `CustomerID`, `Location` as for add, with `LocationID` | `{Location}` |
//! | `Accounts` | `CustomerID` or `Customer`, `SupplierID` or `Supplier`, `ModifiedAfter` | `{Accounts: []}` |
//!
//! There is no contact delete: RPM's API has none.
//!
//! The key: the `RpmApiKey` header, or (legacy) a `"Key"` member of the body; the header
//! wins. An API key (`rolodex api-key create`, or `POST /v1/api-keys`) acts as its user, in
//! its tenant, with the user's role there; a login token works too, in its user's only tenant.
//! A missing key is "Valid key required", any other bad key RPM's "Key not found..." sentence.
//! A viewer's writes are "Permission denied".
//!
//! Choices where the pages are silent (see `docs/rpm.md`):
//! - Errors ([`error`]): `{"Result": {"Error": {"Message": "<sentence>"}}}`, an object with
//!   the sentence as `Message`, which RPM's Node.js library
//!   (<https://github.com/rpmsoftware/integration-common>) throws and matches ("Customer not
//!   found"); a client testing `Result.Error` for presence detects it as it would a string.
//! - HTTP statuses ([`error`]): 200 for every refusal of a call's input, as RPM answers
//!   (clients read `Result.Error`; RPM's library takes any other status for a network
//!   failure); 404 an unknown call, 405 a method other than POST (with `Allow: POST`), 413 a
//!   body over the limit, 500 an internal error; all in the envelope.
//! - Customers: names are unique (case-insensitive) among those created or renamed here, and
//!   `Customer` by name finds the oldest match; a customer added here gets a code derived from
//!   its name (the other surfaces' `CUSTOMER_ID`/`reference`). `Country` is an ISO 3166-1
//!   alpha-2 code.
//!   RPM publishes no page for `CustomerSearch`, which its library calls: it searches names
//!   (and codes) from their start, as the core does, and refuses another `Field`; it answers
//!   as `Customers` lists, without `Age`, and a search that finds nothing is an empty list.
//! - Locations ([`locations`]): the postal address is the customer's one location, and
//!   `LocationID` is the customer's id; `CustomerLocationAdd` fills it while it is empty and
//!   is refused after; a location's `Name` is the customer's (one sent is not kept).
//! - Accounts, aliases, notes and the default rep are not kept: they are empty (`AliasAdd`
//!   with a value is refused rather than dropped). `Accounts` answers an empty list for a
//!   customer that exists ("Customer not found" otherwise), and "Supplier not found" for any
//!   supplier, as Rolodex keeps none.
//! - `Email` is the contact's first email: clearing it moves a second one up, as in the model.
//! - An unknown member is refused ("Unrecognized input data item: X") rather than ignored.
//! - Dates are `M/D/YYYY` UTC ([`view`]); `Age` is the unix time of the newest customer change.

mod calls;
mod error;
mod input;
mod locations;
mod phones;
mod view;

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use calls::Call;
use error::RpmError;
use input::Members;
use serde_json::json;

/// RPM's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rpm/api2.svc/{call}", any(call))
        .route("/rpm/Api2.svc/{call}", any(call))
}

async fn call(
    State(state): State<AppState>,
    method: Method,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(call) = Call::parse(&name) else {
        return RpmError::with_status(StatusCode::NOT_FOUND, format!("Unrecognized call: {name}"))
            .into_response();
    };
    if method != Method::POST {
        return (
            [(header::ALLOW, "POST")],
            RpmError::with_status(
                StatusCode::METHOD_NOT_ALLOWED,
                "Calls must be made with POST",
            ),
        )
            .into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(e) => return RpmError::with_status(e.status(), e.body_text()).into_response(),
    };
    let result = match Members::parse(&body) {
        Ok(members) => calls::run(&state, call, &headers, members).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(result) => axum::Json(json!({ "Result": result })).into_response(),
        Err(e) => e.into_response(),
    }
}
