//! The tenant's administration (admins only, as the use cases insist): its users and their
//! roles, API keys and OAuth clients, whose secrets are shown once when created.

use super::session::Viewer;
use super::{BASE, Chrome, PageResult, render, render_with, see};
use super::{CsrfForm, Done};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rolodex_core::CoreError;
use rolodex_core::users::{MemberUpdate, NewUser};
use rolodex_domain::{Role, UserId};
use serde::Deserialize;

/// A member as the users page lists them.
pub struct Member {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub active: bool,
}

impl Member {
    pub fn has_role(&self, role: &str) -> bool {
        self.role == role
    }
}

#[derive(Template)]
#[template(path = "pages/admin_users.html")]
struct UsersPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    members: Vec<Member>,
    roles: [&'static str; 3],
    error: Option<String>,
    username: String,
    display_name: String,
}

fn role(name: &str) -> Option<Role> {
    match name {
        "viewer" => Some(Role::Viewer),
        "dispatcher" => Some(Role::Dispatcher),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

async fn users_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    flash: Option<&'a str>,
) -> Result<UsersPage<'a>, CoreError> {
    let members = state
        .services
        .users
        .list(&viewer.caller)
        .await?
        .into_iter()
        .map(|m| Member {
            id: m.user.id.0,
            username: m.user.username.to_string(),
            display_name: m.user.display_name,
            role: m.role.as_str(),
            active: m.user.active,
        })
        .collect();
    Ok(UsersPage {
        chrome: Some(&viewer.chrome),
        flash,
        members,
        roles: ["viewer", "dispatcher", "admin"],
        error: None,
        username: String::new(),
        display_name: String::new(),
    })
}

pub async fn users(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    let page = users_page(&state, &viewer, done.flash()).await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct NewMember {
    csrf: String,
    username: String,
    #[serde(default)]
    display_name: String,
    password: String,
    role: String,
}

pub async fn add_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewMember>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let new = NewUser {
        username: form.username.clone(),
        display_name: Some(form.display_name.clone()).filter(|n| !n.trim().is_empty()),
        password: form.password,
        role: role(&form.role).unwrap_or(Role::Viewer),
    };
    match state.services.users.create(&viewer.caller, new).await {
        Ok(_) => Ok(see(format!("{BASE}/admin?done=added"))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict { .. })) => {
            let mut page = users_page(&state, &viewer, None).await?;
            page.error = Some(match e {
                CoreError::Invalid(errors) => super::listed(&errors),
                other => super::sentence(&other.to_string()),
            });
            page.username = form.username;
            page.display_name = form.display_name;
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct Change {
    csrf: String,
    role: Option<String>,
    /// `activate` or `deactivate`.
    state: Option<String>,
}

pub async fn change_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Change>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let update = MemberUpdate {
        role: form.role.as_deref().and_then(role),
        active: match form.state.as_deref() {
            Some("activate") => Some(true),
            Some("deactivate") => Some(false),
            _ => None,
        },
        ..MemberUpdate::default()
    };
    state
        .services
        .users
        .update(&viewer.caller, UserId(id), update)
        .await?;
    Ok(see(format!("{BASE}/admin?done=changed")))
}

/// An API key as its page lists it.
pub struct Key {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "pages/admin_keys.html")]
struct KeysPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    keys: Vec<Key>,
    /// A key just created: its name and its secret, shown this once.
    created: Option<(String, String)>,
    error: Option<String>,
}

async fn keys_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    flash: Option<&'a str>,
) -> Result<KeysPage<'a>, CoreError> {
    let keys = state
        .services
        .auth
        .list_api_keys(&viewer.caller)
        .await?
        .into_iter()
        .map(|k| Key {
            id: k.id,
            name: k.name,
            created: super::when(k.created_at),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    Ok(KeysPage {
        chrome: Some(&viewer.chrome),
        flash,
        keys,
        created: None,
        error: None,
    })
}

pub async fn keys(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    rolodex_core::AuthService::require(&viewer.caller, Role::Admin)?;
    Ok(render(&keys_page(&state, &viewer, done.flash()).await?))
}

#[derive(Debug, Deserialize)]
pub struct NewKey {
    csrf: String,
    name: String,
}

/// Creates an API key for the signed-in admin and shows its secret once (the answer is not
/// a redirect: reloading it would not show the secret again, and it is never stored).
pub async fn create_key(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewKey>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    rolodex_core::AuthService::require(&viewer.caller, Role::Admin)?;
    match state
        .services
        .auth
        .create_api_key(&viewer.caller, &form.name, None)
        .await
    {
        Ok(new) => {
            let mut page = keys_page(&state, &viewer, None).await?;
            page.created = Some((new.key.name, new.secret));
            Ok(render(&page))
        }
        Err(CoreError::Invalid(errors)) => {
            let mut page = keys_page(&state, &viewer, None).await?;
            page.error = Some(super::listed(&errors));
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_key(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    state
        .services
        .auth
        .revoke_api_key(&viewer.caller, id)
        .await?;
    Ok(see(format!("{BASE}/admin/keys?done=revoked")))
}

/// An OAuth client as its page lists it.
pub struct Client {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub redirect_uris: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "pages/admin_oauth.html")]
struct ClientsPage<'a> {
    chrome: Option<&'a Chrome>,
    flash: Option<&'a str>,
    clients: Vec<Client>,
    /// A client just registered: its name, client id and secret, the secret shown this once.
    created: Option<(String, String, String)>,
    error: Option<String>,
    name: String,
    redirect_uris: String,
}

async fn clients_page<'a>(
    state: &AppState,
    viewer: &'a Viewer,
    flash: Option<&'a str>,
) -> Result<ClientsPage<'a>, CoreError> {
    let clients = state
        .services
        .oauth
        .list_clients(&viewer.caller)
        .await?
        .into_iter()
        .map(|c| Client {
            id: c.id,
            name: c.name,
            client_id: c.client_id,
            redirect_uris: c.redirect_uris.join("\n"),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    Ok(ClientsPage {
        chrome: Some(&viewer.chrome),
        flash,
        clients,
        created: None,
        error: None,
        name: String::new(),
        redirect_uris: String::new(),
    })
}

pub async fn clients(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> PageResult {
    Ok(render(&clients_page(&state, &viewer, done.flash()).await?))
}

#[derive(Debug, Deserialize)]
pub struct NewClient {
    csrf: String,
    name: String,
    /// One redirect URI per line.
    redirect_uris: String,
}

/// Registers an OAuth client and shows its secret once (as for API keys, not a redirect).
pub async fn register_client(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<NewClient>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    let uris: Vec<String> = form
        .redirect_uris
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    match state
        .services
        .oauth
        .register_client(&viewer.caller, &form.name, &uris)
        .await
    {
        Ok(new) => {
            let mut page = clients_page(&state, &viewer, None).await?;
            page.created = Some((new.client.name, new.client.client_id, new.secret));
            Ok(render(&page))
        }
        Err(CoreError::Invalid(errors)) => {
            let mut page = clients_page(&state, &viewer, None).await?;
            page.error = Some(super::listed(&errors));
            page.name = form.name;
            page.redirect_uris = form.redirect_uris;
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_client(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    viewer.check(&form.csrf)?;
    state
        .services
        .oauth
        .revoke_client(&viewer.caller, id)
        .await?;
    Ok(see(format!("{BASE}/admin/oauth?done=revoked")))
}
