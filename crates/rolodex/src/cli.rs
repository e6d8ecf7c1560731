//! The command line: `rolodex serve | migrate | copy | tenant | user | api-key |
//! oauth-client | import | export`.
//!
//! Each command calls core's use cases as the operator ([`Caller::operator`]), never SQL, so
//! validation and tenancy are the same as over HTTP. Results go to standard output; errors
//! are returned for `main` to print as one line. Passwords are never taken from a flag.

use crate::config::{Config, DatabaseUrl, Overrides};
use crate::files;
use crate::startup::{self, Application};
use anyhow::{Context, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use rolodex_core::users::NewUser;
use rolodex_core::{Caller, CoreError, Services, SystemClock};
use rolodex_domain::{Role, Tenant};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;

/// Rolodex: customers and their contacts, for many businesses at once.
#[derive(Debug, Parser)]
#[command(name = "rolodex", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database URL [env: ROLODEX_DATABASE_URL] [default: sqlite://rolodex.db]
    #[arg(long = "database", value_name = "URL", global = true)]
    pub database: Option<String>,
    /// Configuration file (TOML, keys as in config.default.toml)
    #[arg(
        long,
        value_name = "FILE",
        env = "ROLODEX_CONFIG",
        hide_env_values = true,
        global = true
    )]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates the database first; creates tenant DEFAULT and user admin
    /// on the first start)
    Serve(ServeArgs),
    /// Bring the database schema up to date
    Migrate,
    /// Copy every record of one database into another, empty one (SQLite to PostgreSQL or
    /// back; ids kept), then compare the two record by record
    Copy(CopyArgs),
    /// Manage tenants
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage users and their roles in tenants
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Manage the OAuth 2.0 clients that may ask users for access to a tenant
    #[command(subcommand, name = "oauth-client")]
    OAuthClient(OAuthClientCommand),
    /// Import contacts from a CSV or vCard file (created, updated or unchanged, matched by
    /// external id, code or email); prints each refused row and the counts
    Import(ImportArgs),
    /// Export contacts (all, or those a search matches) as CSV or vCard
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file: CSV (Google Contacts, Outlook or Rolodex columns) or vCard 2.1, 3.0, 4.0
    pub file: PathBuf,
    /// The tenant to import into
    #[arg(long, value_name = "CODE", default_value = "DEFAULT")]
    pub tenant: String,
    /// Code of the customer every new contact belongs to (default: each row's
    /// organisation, by customer code or name; a customer is created for one none has)
    #[arg(long, value_name = "CODE")]
    pub customer: Option<String>,
    /// What finds the contact a row updates
    #[arg(long = "match", value_name = "KEY", default_value = "external_id",
        value_parser = ["external_id", "code", "email"])]
    pub match_key: String,
    /// Report what would happen, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// A CSV column's field, as COLUMN=FIELD (repeatable)
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Also write every row's outcome to this CSV file
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// csv (Rolodex's columns) or vcf (vCard 4.0, with photos)
    #[arg(long, default_value = "csv", value_parser = ["csv", "vcf"])]
    pub format: String,
    /// The file to write (default: standard output)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The tenant to export from
    #[arg(long, value_name = "CODE", default_value = "DEFAULT")]
    pub tenant: String,
    /// Words, each a prefix of a name, code, email or phone
    #[arg(long, value_name = "WORDS")]
    pub q: Option<String>,
    /// An email address
    #[arg(long)]
    pub email: Option<String>,
    /// A phone number, compared by digits
    #[arg(long)]
    pub phone: Option<String>,
    /// An external id
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Only contacts updated at or after this RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub updated_since: Option<String>,
    /// Only the contacts of this customer (its id)
    #[arg(long, value_name = "ID")]
    pub customer_id: Option<String>,
    /// id, last_name, created_at or updated_at; '-' before it for descending
    #[arg(long, allow_hyphen_values = true)]
    pub sort: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: ROLODEX_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Folder for photos [env: ROLODEX_MEDIA_DIR] [default: ./media]
    #[arg(long, value_name = "DIR")]
    pub media_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The database to copy (sqlite://PATH or postgres://...)
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to copy into: migrated if needed, and without any record
    #[arg(long, value_name = "URL")]
    pub to: String,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant
    Add {
        /// Short unique code (letters, digits, '-', '_'; stored upper-case)
        code: String,
        /// Display name (default: the code)
        #[arg(long)]
        name: Option<String>,
    },
    /// List every tenant
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user who is a member of a tenant; the password is read from the terminal
    /// (or one line of standard input)
    Add {
        username: String,
        /// Code of the tenant the user joins
        #[arg(long, value_name = "CODE")]
        tenant: String,
        /// admin, dispatcher or viewer
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Name shown to people (default: the username)
        #[arg(long, value_name = "NAME")]
        display_name: Option<String>,
    },
    /// List the members of one tenant, or of every tenant
    List {
        /// Only this tenant's members
        #[arg(long, value_name = "CODE")]
        tenant: Option<String>,
    },
    /// Set a user's password, read from the terminal (or one line of standard input)
    Passwd {
        username: String,
        /// The tenant whose member this is (needed when accounts in several tenants have
        /// this username)
        #[arg(long, value_name = "CODE")]
        tenant: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key for a member of a tenant and print its secret (shown once)
    Create {
        /// The user the key acts as
        #[arg(long, value_name = "USERNAME")]
        user: String,
        /// The tenant the key is bound to
        #[arg(long, value_name = "CODE")]
        tenant: String,
        /// A label to recognise the key by
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OAuthClientCommand {
    /// Register a client in a tenant and print its client_id and secret (shown once)
    Add {
        /// Name shown to users when the client asks for access
        name: String,
        /// Where users may be sent back to, matched exactly (repeat for several)
        #[arg(long = "redirect-uri", value_name = "URI", required = true)]
        redirect_uris: Vec<String>,
        /// Code of the tenant the client may ask for access to
        #[arg(long, value_name = "CODE")]
        tenant: String,
    },
    /// List the clients of a tenant
    List {
        #[arg(long, value_name = "CODE")]
        tenant: String,
    },
    /// Revoke a client and every token issued to it
    Revoke {
        /// The client's client_id
        client_id: String,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    raw.parse::<Role>().map_err(|e| e.message)
}

impl Cli {
    fn overrides(&self) -> Overrides {
        let mut overrides = Overrides {
            database_url: self.global.database.clone(),
            ..Overrides::default()
        };
        if let Command::Serve(serve) = &self.command {
            overrides.listen.clone_from(&serve.listen);
            overrides.media_dir.clone_from(&serve.media_dir);
        }
        overrides
    }
}

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load(cli.global.config.as_deref(), &cli.overrides())?;
    match cli.command {
        Command::Serve(_) => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Copy(args) => copy(&args).await,
        command => {
            let store = startup::open_store(&config).await?;
            let services = Services::new(
                store.store(),
                Arc::new(SystemClock),
                config.auth(),
                startup::media(&config),
            );
            let result = operate(&services, command).await;
            // Whatever the command returned, its acknowledged writes must reach the disk.
            store.close().await;
            result
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::debug!(?config, "configuration");
    let shutdown = startup::shutdown_signal()?;
    let app = Application::build(config).await?;
    println!("Rolodex is listening on http://{}", app.local_addr());
    app.run_until_stopped(shutdown).await
}

async fn migrate(config: &Config) -> anyhow::Result<()> {
    rolodex_store::migrate(config.database_url.expose())
        .await
        .with_context(|| format!("could not migrate the database {}", config.database_url))?;
    println!(
        "Database {} is at the latest schema version",
        config.database_url
    );
    Ok(())
}

async fn copy(args: &CopyArgs) -> anyhow::Result<()> {
    let from = DatabaseUrl::parse(&args.from).map_err(|e| anyhow!("--from: {e}"))?;
    let to = DatabaseUrl::parse(&args.to).map_err(|e| anyhow!("--to: {e}"))?;
    let source = rolodex_store::connect(from.expose())
        .await
        .with_context(|| format!("could not open the database {from}"))?;
    let target = match rolodex_store::connect(to.expose()).await {
        Ok(target) => target,
        Err(e) => {
            source.close().await;
            return Err(e).with_context(|| format!("could not open the database {to}"));
        }
    };
    let copied = source.copy_into(&target).await;
    // Whatever happened, the target's acknowledged writes must reach the disk.
    target.close().await;
    source.close().await;
    let report = copied.with_context(|| format!("could not copy {from} into {to}"))?;
    for table in &report.tables {
        println!("{:<18} {:>9} records", table.table, table.rows);
    }
    println!(
        "Copied {} records from {from} into {to}; every record compares equal",
        report.total()
    );
    Ok(())
}

async fn operate(services: &Services, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Tenant(TenantCommand::Add { code, name }) => {
            let tenant = services
                .tenants
                .create(&code, name.as_deref())
                .await
                .with_context(|| format!("could not create tenant {code:?}"))?;
            println!(
                "Created tenant {} (id {}): {}",
                tenant.code.as_str(),
                tenant.id,
                tenant.name
            );
        }
        Command::Tenant(TenantCommand::List) => {
            let tenants = services
                .tenants
                .list_all()
                .await
                .context("could not list the tenants")?;
            println!("{:<6} {:<32} NAME", "ID", "CODE");
            for t in tenants {
                println!("{:<6} {:<32} {}", t.id, t.code.as_str(), t.name);
            }
        }
        Command::User(UserCommand::Add {
            username,
            tenant,
            role,
            display_name,
        }) => {
            let tenant = tenant_by_code(services, &tenant).await?;
            // An existing account joins the tenant; otherwise a new one is created.
            let (member, verb) = match services.users.join(tenant.id, &username, role).await {
                Ok(member) => (member, "Added existing user"),
                Err(CoreError::NotFound { .. }) => {
                    let password = read_password(&format!("Password for {username}: "))?;
                    let new = NewUser {
                        username,
                        display_name,
                        password,
                        role,
                    };
                    let member = services
                        .users
                        .add(tenant.id, new)
                        .await
                        .context("could not create the user")?;
                    (member, "Created user")
                }
                Err(e) => return Err(anyhow::Error::new(e).context("could not add the user")),
            };
            println!(
                "{verb} {} (id {}) as {} of tenant {}",
                member.user.username,
                member.user.id,
                member.role,
                tenant.code.as_str()
            );
        }
        Command::User(UserCommand::List { tenant }) => {
            let tenants = match tenant {
                Some(code) => vec![tenant_by_code(services, &code).await?],
                None => services
                    .tenants
                    .list_all()
                    .await
                    .context("could not list the tenants")?,
            };
            println!(
                "{:<16} {:<6} {:<24} {:<10} {:<8} DISPLAY NAME",
                "TENANT", "ID", "USERNAME", "ROLE", "ACTIVE"
            );
            for t in tenants {
                let members = services
                    .users
                    .members(t.id)
                    .await
                    .context("could not list the users")?;
                for m in members {
                    println!(
                        "{:<16} {:<6} {:<24} {:<10} {:<8} {}",
                        t.code.as_str(),
                        m.user.id,
                        m.user.username.as_str(),
                        m.role.as_str(),
                        if m.user.active { "yes" } else { "no" },
                        m.user.display_name
                    );
                }
            }
        }
        Command::User(UserCommand::Passwd { username, tenant }) => {
            let tenant = match tenant {
                Some(code) => Some(tenant_by_code(services, &code).await?.id),
                None => None,
            };
            let password = read_password(&format!("New password for {username}: "))?;
            services
                .users
                .set_password(&username, tenant, password)
                .await
                .with_context(|| format!("could not change the password of user {username:?}"))?;
            println!("Changed the password of user {username}");
        }
        Command::ApiKey(ApiKeyCommand::Create { user, tenant, name }) => {
            let tenant = tenant_by_code(services, &tenant).await?;
            let wanted = rolodex_domain::Username::parse(&user)
                .map_err(|e| anyhow!("invalid username {user:?}: {}", e.message))?;
            let member = services
                .users
                .members(tenant.id)
                .await
                .context("could not list the users")?
                .into_iter()
                .find(|m| m.user.username == wanted)
                .ok_or_else(|| {
                    anyhow!(
                        "user {user:?} is not a member of tenant {}",
                        tenant.code.as_str()
                    )
                })?;
            let created = services
                .auth
                .create_api_key(&Caller::operator(tenant.id), &name, Some(member.user.id))
                .await
                .context("could not create the API key")?;
            println!(
                "Created API key {} {:?} for user {} in tenant {}; its secret is shown once, \
                 on the next line:",
                created.key.id,
                created.key.name,
                member.user.username,
                tenant.code.as_str()
            );
            println!("{}", created.secret);
        }
        Command::OAuthClient(command) => oauth_client(services, command).await?,
        Command::Import(args) => files::import(services, &args).await?,
        Command::Export(args) => files::export(services, &args).await?,
        Command::Serve(_) | Command::Migrate | Command::Copy(_) => {
            unreachable!("serve, migrate and copy are handled by run() without opening services")
        }
    }
    Ok(())
}

async fn oauth_client(services: &Services, command: OAuthClientCommand) -> anyhow::Result<()> {
    match command {
        OAuthClientCommand::Add {
            name,
            redirect_uris,
            tenant,
        } => {
            let tenant = tenant_by_code(services, &tenant).await?;
            let registered = services
                .oauth
                .register_client(&Caller::operator(tenant.id), &name, &redirect_uris)
                .await
                .context("could not register the OAuth client")?;
            let client = registered.client;
            println!(
                "Registered OAuth client {:?} in tenant {} (id {}), redirect URIs: {}",
                client.name,
                tenant.code.as_str(),
                tenant.id,
                client.redirect_uris.join(" ")
            );
            println!("client_id:     {}", client.client_id);
            println!(
                "client_secret: {} (shown once: keep it now)",
                registered.secret
            );
        }
        OAuthClientCommand::List { tenant } => {
            let tenant = tenant_by_code(services, &tenant).await?;
            let clients = services
                .oauth
                .list_clients(&Caller::operator(tenant.id))
                .await
                .context("could not list the OAuth clients")?;
            println!(
                "{:<30} {:<8} {:<24} REDIRECT URIS",
                "CLIENT ID", "STATE", "NAME"
            );
            for c in clients {
                let state = if c.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<30} {state:<8} {:<24} {}",
                    c.client_id,
                    c.name,
                    c.redirect_uris.join(" ")
                );
            }
        }
        OAuthClientCommand::Revoke { client_id } => {
            let client = match services.oauth.find_client(&client_id).await {
                Ok(client) => client,
                Err(CoreError::NotFound { .. }) => {
                    bail!("no OAuth client {client_id:?} (see 'rolodex oauth-client list')")
                }
                Err(e) => {
                    return Err(anyhow::Error::new(e).context("could not find the OAuth client"));
                }
            };
            services
                .oauth
                .revoke_client(&Caller::operator(client.tenant_id), client.id)
                .await
                .context("could not revoke the OAuth client")?;
            println!(
                "Revoked OAuth client {} ({:?}) and every token issued to it",
                client.client_id, client.name
            );
        }
    }
    Ok(())
}

pub(crate) async fn tenant_by_code(services: &Services, code: &str) -> anyhow::Result<Tenant> {
    match services.tenants.by_code(code).await {
        Ok(t) => Ok(t),
        Err(CoreError::NotFound { .. }) => {
            bail!("no tenant with code {code:?} (see 'rolodex tenant list')")
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("could not find tenant {code:?}"))),
    }
}

/// Reads a password without echo from the terminal (twice, to catch typos), or one line from
/// standard input when it is not a terminal (scripts, tests).
fn read_password(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt).context("could not read the password")?;
        let again =
            rpassword::prompt_password("Repeat it: ").context("could not read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.is_empty() {
        bail!(
            "no password given: type it at the terminal, or pass it as one line on standard input"
        );
    }
    Ok(password.to_owned())
}
