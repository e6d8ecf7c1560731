//! The OpenAPI document of the native API, generated from the handlers' annotations, at
//! `/openapi.json`, and an interactive page at `/docs` whose assets the binary serves itself.
//!
//! A handler's annotation names its inputs (with the shared headers below) and the outcomes
//! of its own use case. [`Failures`] then completes every operation with the failures its
//! inputs can cause, the same way for all: a bearer token (401), `X-Tenant-Id` (400, 403), a
//! path id (400, 404), a query (400, 422), a JSON body (400, 413, 415, 422), `If-Match` and
//! `If-None-Match` (412), `Idempotency-Key` (400, 409, 422), and 500 for all. Every error
//! response is an RFC 9457 problem (`application/problem+json`). The Rust tests below and the
//! schemathesis run of `tools/openapi-fuzz.sh` hold the document to what the server does.

use crate::native::{auth, contacts, customers, files, oauth_clients, photos, users};
use crate::problem::{Problem, ProblemBody};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use rolodex_core::CoreError;
use rolodex_core::query::MAX_PAGE_SIZE;
use std::sync::OnceLock;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, RefOr, Required, Response, Schema};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::{Config, SwaggerUi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rolodex",
        description = "Customers and the people to contact at each one. Errors are RFC 9457 problem details \
            (application/problem+json); single resources carry an ETag that If-Match can pin; PATCH takes \
            JSON Merge Patch (RFC 7396). A request is judged in this order: the tenant and credentials (400 \
            for a malformed X-Tenant-Id, 401, 403), path, query and headers (400), body (400, 413, 415, 422 for members of the wrong type, unknown or \
            read-only), the resource (404), If-Match and If-None-Match (412), then the values against the \
            rules and the other records (422, 409)."
    ),
    paths(
        auth::login, auth::logout, auth::tenants, auth::create_key, auth::list_keys, auth::revoke_key,
        users::list, users::create, users::get, users::update, users::remove,
        oauth_clients::list, oauth_clients::register, oauth_clients::revoke,
        customers::create, customers::list, customers::get, customers::patch, customers::delete, customers::history,
        customers::restore,
        contacts::search, contacts::list_of_customer, contacts::create, contacts::get, contacts::patch,
        contacts::replace, contacts::delete, contacts::history, contacts::restore,
        photos::put, photos::get, photos::delete,
        files::import, files::jobs, files::job, files::job_report, files::export,
    ),
    components(schemas(ProblemBody)),
    modifiers(&BearerAuth, &Failures)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The media type of every error response.
const PROBLEM_JSON: &str = "application/problem+json";

const TENANT_HEADER: &str = "X-Tenant-Id";
const IF_MATCH: &str = "If-Match";
const IF_NONE_MATCH: &str = "If-None-Match";
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// `*` or a comma-separated list of entity tags (RFC 9110, section 8.8.3), as `If-Match` takes
/// them. (`If-None-Match` is documented as free text: the server ignores what is not a tag of
/// ours there, so any value is acceptable.)
const ENTITY_TAGS: &str =
    r#"^[ \t]*(\*|(W/)?"[\x21\x23-\x7E]*"([ \t]*,[ \t]*(W/)?"[\x21\x23-\x7E]*")*)[ \t]*$"#;

/// Completes each operation's error responses from its inputs, and gives every error response
/// the problem body.
struct Failures;

impl Modify for Failures {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                complete(operation);
            }
        }
    }
}

fn complete(operation: &mut Operation) {
    let params = operation.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn, name: Option<&str>| {
        params
            .iter()
            .any(|p| p.parameter_in == place && name.is_none_or(|n| p.name == n))
    };
    let mut statuses: Vec<(u16, &str)> = vec![(500, "Something went wrong on our side")];
    if operation.security.is_some() {
        statuses.push((401, "Missing, malformed, expired or revoked token"));
    }
    if has(ParameterIn::Header, Some(TENANT_HEADER)) {
        statuses.push((400, "Malformed request"));
        statuses.push((
            403,
            "Not a member of that tenant, or the role does not allow this",
        ));
    }
    if has(ParameterIn::Path, None) {
        statuses.push((400, "Malformed request"));
        statuses.push((404, "No such resource in the tenant"));
    }
    if has(ParameterIn::Query, None) {
        statuses.push((400, "Malformed request"));
        statuses.push((
            422,
            "A query value breaks a rule (a limit out of range, a cursor this API did not issue)",
        ));
    }
    let json_body = operation.request_body.as_ref().is_some_and(|b| {
        b.content
            .keys()
            .any(|k| k == "application/json" || k.ends_with("+json"))
    });
    if json_body {
        statuses.push((400, "Malformed request"));
        statuses.push((413, "The body is too large"));
        statuses.push((415, "The body is not JSON"));
        statuses.push((
            422,
            "Invalid members or values; `errors` names each field and its broken rule",
        ));
    }
    if has(ParameterIn::Header, Some(IF_MATCH)) {
        statuses.push((
            412,
            "If-Match or If-None-Match does not hold for the current version",
        ));
    }
    if has(ParameterIn::Header, Some(IDEMPOTENCY_KEY)) {
        statuses.push((400, "Malformed request"));
        statuses.push((
            409,
            "A request with this Idempotency-Key is still being processed",
        ));
        statuses.push((422, "This Idempotency-Key was used with another request"));
    }
    let responses = &mut operation.responses.responses;
    for (status, description) in statuses {
        responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
    for (status, response) in responses.iter_mut() {
        if let (Some('4' | '5'), RefOr::T(response)) = (status.chars().next(), response) {
            response.content.clear();
            response.content.insert(
                PROBLEM_JSON.to_owned(),
                Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    ProblemBody::name(),
                )))),
            );
        }
    }
}

fn header(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn query(name: &str, description: &str, schema: ObjectBuilder) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

fn entity_tags() -> ObjectBuilder {
    of(Type::String)
        .pattern(Some(ENTITY_TAGS))
        .examples(["\"1\"", "*"])
}

fn of(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::Type(kind))
}

/// `X-Tenant-Id`: the tenant a request acts in.
pub struct TenantHeader;

impl IntoParams for TenantHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header(
            TENANT_HEADER,
            "Id of the tenant to act in (default: the token's, or the user's only tenant)",
            of(Type::Integer).format(Some(SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Int64,
            ))),
        )]
    }
}

/// `If-Match` and `If-None-Match` of a write (RFC 9110, section 13.1).
pub struct ConditionHeaders;

impl IntoParams for ConditionHeaders {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            header(
                IF_MATCH,
                "The write applies only if the current version's ETag is one of these (strong \
                 comparison; * for any version). A weak tag or a tag this API did not issue \
                 matches nothing (412).",
                entity_tags(),
            ),
            header(
                IF_NONE_MATCH,
                "Entity tags: the write applies only if the current version's ETag is none of \
                 these (weak comparison); * for a resource that does not exist, so a write to an \
                 existing one fails (412). Anything that is not one of our tags is ignored.",
                of(Type::String),
            ),
        ]
    }
}

/// `Idempotency-Key`: makes a create safe to repeat.
pub struct IdempotencyKeyHeader;

impl IntoParams for IdempotencyKeyHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header(
            IDEMPOTENCY_KEY,
            "Repeat-safe creation: a repeat with the same key and body gets the first response again",
            of(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some(r"^[\x21-\x7E]+$")),
        )]
    }
}

/// `Prefer`: `respond-async` asks for an import to run on its own (RFC 7240).
pub struct PreferHeader;

impl IntoParams for PreferHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header(
            "Prefer",
            "respond-async: answer 202 at once and import in the background, whatever the \
             file's size (other preferences are ignored)",
            of(Type::String).pattern(Some(r"^[\t\x20-\x7E]*$")),
        )]
    }
}

/// `If-None-Match`: the photo copy a client holds.
pub struct IfNoneMatchHeader;

impl IntoParams for IfNoneMatchHeader {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![header(
            IF_NONE_MATCH,
            "Entity tags of copies the client holds (304 when one is current); anything that is \
             not one of our tags is ignored",
            of(Type::String),
        )]
    }
}

/// `limit` and `cursor` of a collection.
pub struct PageParams;

impl IntoParams for PageParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query(
                "limit",
                "Page size (default 50)",
                of(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(MAX_PAGE_SIZE)),
            ),
            query(
                "cursor",
                "next_cursor of the previous page",
                of(Type::String),
            ),
        ]
    }
}

/// `sort` of a history list.
pub struct HistorySortParam;

impl IntoParams for HistorySortParam {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![query(
            "sort",
            "id: oldest change first (default); -id: newest first",
            of(Type::String).enum_values(Some(["id", "-id"])),
        )]
    }
}

/// The options of an import.
pub struct ImportParams;

impl IntoParams for ImportParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![
            query(
                "customer",
                "Code of the customer every new contact belongs to; without it, each row's \
                 organisation (company) names its customer by code or name, and one is created \
                 when none has it",
                of(Type::String),
            ),
            query(
                "match",
                "What finds the contact a row updates: its external id (default), its code \
                 within the row's customer, or its first email",
                of(Type::String).enum_values(Some(["external_id", "code", "email"])),
            ),
            query(
                "dry_run",
                "Report what the import would do, and write nothing",
                of(Type::Boolean),
            ),
            query(
                "map",
                "CSV columns mapped to fields, as COLUMN=FIELD pairs separated by ';' (fields: \
                 the columns of Rolodex's export, organisation, email, phone_<type>, street, \
                 middle_name, categories, custom.<name>, ignore)",
                of(Type::String),
            ),
        ]
    }
}

/// The format of an export.
pub struct ExportFormatParams;

impl IntoParams for ExportFormatParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![query(
            "format",
            "csv (default: Rolodex's columns) or vcf (vCard 4.0, with photos)",
            of(Type::String).enum_values(Some(["csv", "vcf"])),
        )]
    }
}

/// `size` of a photo read.
pub struct PhotoSizeParams;

impl IntoParams for PhotoSizeParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![query(
            "size",
            "small (fits 128x128) or medium (fits 512x512); the original when absent",
            of(Type::String).enum_values(Some(["small", "medium"])),
        )]
    }
}

/// The filters of a contact search.
pub struct ContactFilterParams;

impl IntoParams for ContactFilterParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let sorts = ["id", "last_name", "created_at", "updated_at"]
            .into_iter()
            .flat_map(|s| [s.to_owned(), format!("-{s}")]);
        vec![
            query(
                "q",
                "Words, each a prefix of a name, code, email or phone",
                of(Type::String),
            ),
            query("email", "An email address", of(Type::String)),
            query(
                "phone",
                "A phone number, compared by digits",
                of(Type::String),
            ),
            query("external_id", "The contact's external id", of(Type::String)),
            query(
                "updated_since",
                "Only contacts updated at or after this RFC 3339 time",
                of(Type::String).format(Some(SchemaFormat::KnownFormat(
                    utoipa::openapi::KnownFormat::DateTime,
                ))),
            ),
            query(
                "sort",
                "Order of the results; '-' for descending (default id)",
                of(Type::String).enum_values(Some(sorts)),
            ),
        ]
    }
}

/// A schema of `kind` or null.
pub fn nullable(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

/// A schema as a component-ready value.
pub fn schema(builder: ObjectBuilder) -> RefOr<Schema> {
    RefOr::T(Schema::Object(builder.build()))
}

/// `/openapi.json` and the page at `/docs` that reads it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", axum::routing::get(document))
        .merge(SwaggerUi::new("/docs").config(Config::from("/openapi.json")))
}

/// The OpenAPI document as JSON. It is built on its first request, not at start: building it
/// runs much code that nothing else needs, and a node that never serves it keeps neither that
/// code nor the document in memory. Once built, it is kept as the JSON it is served as.
async fn document() -> axum::response::Response {
    static JSON: OnceLock<Option<Bytes>> = OnceLock::new();
    let json = JSON.get_or_init(|| {
        serde_json::to_vec(&ApiDoc::openapi())
            .map(Bytes::from)
            .inspect_err(
                |e| tracing::error!(error = %e, "the OpenAPI document could not be serialized"),
            )
            .ok()
    });
    match json {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        None => Problem::from(CoreError::Internal(
            "the OpenAPI document could not be serialized".into(),
        ))
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
    }

    fn operations(doc: &Value) -> Vec<(String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                out.push((format!("{} {path}", method.to_uppercase()), op));
            }
        }
        out
    }

    /// Resolves a `$ref` to a component schema, or returns the schema itself.
    fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
        match schema["$ref"].as_str() {
            Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
            None => schema,
        }
    }

    #[test]
    fn the_document_lists_every_native_route() {
        let doc = ApiDoc::openapi();
        let paths: Vec<&String> = doc.paths.paths.keys().collect();
        for p in [
            "/v1/auth/token",
            "/v1/contacts",
            "/v1/customers/{id}/contacts/{contact_id}/history",
            "/v1/customers/{id}/contacts/{contact_id}/history/{entry_id}/restore",
            "/v1/customers/{id}/history/{entry_id}/restore",
            "/v1/customers/{id}/contacts/{contact_id}/photo",
        ] {
            assert!(
                paths.iter().any(|k| k.as_str() == p),
                "{p} missing from {paths:?}"
            );
        }
        let json = doc.to_json().unwrap_or_default();
        assert!(json.contains("\"openapi\":\"3.1"), "OpenAPI 3.1");
        assert!(
            json.contains("\"PhotoView\""),
            "the contact's photo link is documented"
        );
    }

    #[test]
    fn operation_ids_are_unique() {
        let doc = document();
        let ids: Vec<&str> = operations(&doc)
            .iter()
            .filter_map(|(_, op)| op["operationId"].as_str())
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert_eq!(
            ids.len(),
            operations(&doc).len(),
            "every operation has an id"
        );
    }

    #[test]
    fn every_error_response_is_a_problem() {
        let doc = document();
        for (name, op) in operations(&doc) {
            let responses = op["responses"].as_object().into_iter().flatten();
            let mut errors = 0;
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    errors += 1;
                    let content = response["content"].as_object();
                    let types: Vec<&String> =
                        content.into_iter().flatten().map(|(k, _)| k).collect();
                    assert_eq!(types, [PROBLEM_JSON], "{name} {status}");
                    assert_eq!(
                        response["content"][PROBLEM_JSON]["schema"]["$ref"],
                        "#/components/schemas/Problem",
                        "{name} {status}"
                    );
                }
            }
            assert!(op["responses"]["500"].is_object(), "{name} documents 500");
            if op["security"].is_array() {
                assert!(op["responses"]["401"].is_object(), "{name} documents 401");
            }
            assert!(errors >= 1, "{name}");
        }
        let problem = &doc["components"]["schemas"]["Problem"];
        for member in ["type", "title", "status", "detail", "code", "errors"] {
            assert!(
                problem["properties"][member].is_object(),
                "Problem.{member}"
            );
        }
    }

    #[test]
    fn writes_document_their_failures() {
        let doc = document();
        for (name, op) in operations(&doc) {
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect();
            let expect = |status: &str, why: &str| {
                assert!(
                    op["responses"][status].is_object(),
                    "{name}: {why} but no {status}"
                );
            };
            if op["requestBody"]["content"]
                .as_object()
                .is_some_and(|c| c.keys().any(|k| k.ends_with("json")))
            {
                for status in ["400", "413", "415", "422"] {
                    expect(status, "a JSON body");
                }
            }
            if params.contains(&IF_MATCH) {
                expect("412", "If-Match");
            }
            if params.contains(&TENANT_HEADER) {
                expect("403", "X-Tenant-Id");
            }
        }
    }

    #[test]
    fn request_bodies_hold_no_read_only_member() {
        let doc = document();
        let read_only = [
            "id",
            "customer_id",
            "version",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "history_url",
            "photo",
        ];
        for (name, op) in operations(&doc) {
            for (media, content) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let schema = resolve(&doc, &content["schema"]);
                let Some(members) = schema["properties"].as_object() else {
                    continue;
                };
                for member in read_only {
                    assert!(
                        !members.contains_key(member),
                        "{name} {media}: the request schema has the read-only {member}"
                    );
                }
                assert_eq!(
                    schema["additionalProperties"],
                    Value::Bool(false),
                    "{name} {media}: unknown members are refused"
                );
            }
        }
    }

    #[test]
    fn headers_are_constrained() {
        let doc = document();
        for (name, op) in operations(&doc) {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] != "header" || p["name"] == IF_NONE_MATCH {
                    continue;
                }
                let schema = &p["schema"];
                assert!(
                    schema["type"] == "integer" || schema["pattern"].is_string(),
                    "{name}: header {} is unconstrained: {schema}",
                    p["name"]
                );
            }
        }
    }

    /// Every schema in `value`, nested ones included.
    fn all_schemas<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
        match value {
            Value::Object(map) => {
                if map.contains_key("type") || map.contains_key("enum") {
                    out.push(value);
                }
                for v in map.values() {
                    all_schemas(v, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| all_schemas(v, out)),
            _ => {}
        }
    }

    #[test]
    fn a_nullable_enumeration_lists_null() {
        let doc = document();
        let mut schemas = Vec::new();
        all_schemas(&doc, &mut schemas);
        for schema in schemas {
            let nullable = schema["type"]
                .as_array()
                .is_some_and(|types| types.iter().any(|t| t == "null"));
            if let (true, Some(values)) = (nullable, schema["enum"].as_array()) {
                assert!(values.contains(&Value::Null), "{schema}");
            }
        }
    }

    #[test]
    fn history_values_are_any_json_value() {
        let doc = document();
        let change = &doc["components"]["schemas"]["FieldChangeView"]["properties"];
        for side in ["old", "new"] {
            let schema = change[side].as_object().cloned().unwrap_or_default();
            let constraints: Vec<&String> = schema.keys().filter(|k| *k != "description").collect();
            assert!(constraints.is_empty(), "{side} takes any value: {schema:?}");
        }
    }
}
