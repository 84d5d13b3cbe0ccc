//! Setting a street up from the command line: units of the tree, handling departments, the
//! platforms they are grouped by, API clients and users; each added, listed and (but users)
//! removed. Case categories are listed (edited on the settings page). Every message is in the operator's language ([`super::say`]).
//!
//! A command changes the database a running server reads; what the server keeps in memory
//! (clients, categories, the calendar, grid shapes) follows within a second
//! (`jiedao_store::reference`), so nothing here needs a restart.

use std::path::PathBuf;

use anyhow::bail;
use clap::Subcommand;
use jiedao_core::{OrgCode, OrgKind, Role, i18n};
use jiedao_store::departments::{self, DepartmentKind, NewDepartment};
use jiedao_store::users::{self, NewUser};
use jiedao_store::{Principal, Refusal, StoreError, clients, org};

use super::{DatabaseArg, explain, load, operator_lang, read_password, say};

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Add a unit (a district, a street...) by its 12-digit code.
    Add {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List the units of the tree (code, kind, name, path, drawn area).
    List {
        /// Only this kind: district, street, community, grid or micro_grid.
        #[arg(long)]
        kind: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Retire a unit that nothing depends on any more (no units below it, users,
    /// departments, clients or open cases).
    Remove {
        code: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum DepartmentCommand {
    /// Add a handling department to a street; prints its id.
    Add {
        /// The street's 12-digit code.
        #[arg(long)]
        street: String,
        #[arg(long)]
        name: String,
        /// A short code unique in the street (letters, digits, - or _), by which actions and
        /// other systems may name it.
        #[arg(long)]
        code: Option<String>,
        /// office, stationed or community
        #[arg(long, default_value = "office")]
        kind: String,
        /// For a community acting as a department: its code.
        #[arg(long)]
        community: Option<String>,
        /// Platform membership as SET:PLATFORM, e.g. zj2021:jianguan (repeatable; `jiedao
        /// platform list` shows them).
        #[arg(long = "platform")]
        platforms: Vec<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List the departments in use (code, name, kind, street, platforms, id).
    List {
        /// Only the departments of this street.
        #[arg(long)]
        street: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Take a department out of use (refused while it has open cases or active users).
    Remove {
        /// The street's 12-digit code.
        #[arg(long)]
        street: String,
        /// The department's id, code or name.
        department: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Register a system allowed to report through the API; prints its token once. A running
    /// server accepts the token at once.
    Add {
        #[arg(long)]
        name: String,
        /// The street's 12-digit code.
        #[arg(long)]
        street: String,
        /// sensor, hotline, police, enterprise, media or staff
        #[arg(long, default_value = "sensor")]
        channel: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List the registered systems.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Stop a system: its token is refused from now on.
    Remove {
        name: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum PlatformCommand {
    /// List the platform sets and their platforms as SET:PLATFORM codes.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum CategoryCommand {
    /// List the case categories in tree order (code, name, urgency, handling limit, whole-case
    /// limit, open to the public, in use). Read-only: categories are edited on the settings
    /// page.
    List {
        /// Only the categories whose code starts with this (`E01` lists 市容环境 and below).
        #[arg(long)]
        under: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a password is generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// The person's name as shown.
        #[arg(long)]
        name: String,
        /// resident, grid_worker, intake_operator, shift_lead, dispatcher, department_handler,
        /// community_staff, leader or administrator
        #[arg(long)]
        role: String,
        /// The code of the unit the user belongs to.
        #[arg(long)]
        org: String,
        /// For a department handler: the department's code or name.
        #[arg(long)]
        department: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Lift a lockout after repeated wrong passwords.
    Unlock {
        username: String,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// List every user.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// A header line and tab-separated rows, as the list commands print them.
fn table(header: &str, rows: impl IntoIterator<Item = Vec<String>>) {
    println!("{}", say(header, &[]));
    for row in rows {
        println!("{}", row.join("\t"));
    }
}

pub async fn org(
    config_file: Option<&PathBuf>,
    system: &Principal,
    action: OrgCommand,
) -> anyhow::Result<()> {
    match action {
        OrgCommand::Add { code, name, db } => {
            let config = load(config_file, &db)?;
            let format = config.grid_format()?;
            let code = OrgCode::parse(code.trim(), &format).map_err(|error| {
                explain(StoreError::Refused(Refusal::BadCode {
                    code: code.clone(),
                    error,
                }))
            })?;
            let store = crate::open_store(&config).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let unit = store
                .write(move |conn| org::add_unit(conn, &scope, &actor, at, &code, &name, &format))
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say(
                    "cli.unit_added",
                    &[
                        (
                            "kind",
                            i18n::text(operator_lang(), unit.kind.label_key()).to_owned()
                        ),
                        ("code", unit.code),
                        ("name", unit.name),
                        ("path", unit.path.as_str().to_owned()),
                    ],
                )
            );
        }
        OrgCommand::List { kind, db } => {
            let kind = match kind.as_deref() {
                Some(text) => Some(OrgKind::parse(text).ok_or_else(|| {
                    anyhow::anyhow!(say("cli.bad_kind", &[("kind", text.to_owned())]))
                })?),
                None => None,
            };
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let scope = system.scope();
            let units = store
                .read(move |conn| org::list(conn, &scope, kind))
                .await
                .map_err(explain)?;
            let lang = operator_lang();
            table(
                "cli.units_header",
                units.into_iter().map(|unit| {
                    vec![
                        unit.code,
                        i18n::text(lang, unit.kind.label_key()).to_owned(),
                        unit.name,
                        unit.path.as_str().to_owned(),
                        unit.area_m2
                            .map(|m2| format!("{:.2}", m2 / 1_000_000.0))
                            .unwrap_or_default(),
                    ]
                }),
            );
        }
        OrgCommand::Remove { code, db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let key = code.trim().to_owned();
            let unit = store
                .write(move |conn| org::remove_unit(conn, &scope, &actor, at, &key))
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say(
                    "cli.unit_removed",
                    &[("code", unit.code), ("name", unit.name)]
                )
            );
        }
    }
    Ok(())
}

pub async fn department(
    config_file: Option<&PathBuf>,
    system: &Principal,
    action: DepartmentCommand,
) -> anyhow::Result<()> {
    match action {
        DepartmentCommand::Add {
            street,
            name,
            code,
            kind,
            community,
            platforms,
            db,
        } => {
            let Some(kind) = DepartmentKind::parse(&kind) else {
                bail!(say("cli.bad_department_kind", &[("kind", kind)]));
            };
            let platforms = platforms
                .iter()
                .map(|p| {
                    p.split_once(':')
                        .map(|(set, code)| (set.to_owned(), code.to_owned()))
                        .ok_or_else(|| {
                            anyhow::anyhow!(say("cli.bad_platform", &[("platform", p.clone())]))
                        })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let new = NewDepartment {
                street_code: street,
                name: name.clone(),
                code,
                kind,
                community_code: community,
                platforms,
            };
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let id = store
                .write(move |conn| departments::add(conn, &scope, &actor, at, &new))
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say(
                    "cli.department_added",
                    &[("name", name), ("id", id.to_string())]
                )
            );
        }
        DepartmentCommand::List { street, db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let street = match street {
                Some(code) => Some(
                    store
                        .read({
                            let code = code.clone();
                            move |conn| org::current_by_code(conn, code.trim())
                        })
                        .await?
                        .filter(|unit| unit.kind == OrgKind::Street)
                        .ok_or_else(|| StoreError::from(Refusal::UnknownOrgUnit { code }))
                        .map_err(explain)?
                        .id,
                ),
                None => None,
            };
            let scope = system.scope();
            let found = store
                .read(move |conn| departments::list(conn, &scope))
                .await
                .map_err(explain)?;
            let lang = operator_lang();
            table(
                "cli.departments_header",
                found
                    .into_iter()
                    .filter(|d| street.is_none_or(|s| s == d.street_id))
                    .map(|d| {
                        vec![
                            d.code.unwrap_or_default(),
                            d.name,
                            i18n::text(lang, d.kind.label_key()).to_owned(),
                            d.street_name,
                            d.platform_codes.join(","),
                            d.id.to_string(),
                        ]
                    }),
            );
        }
        DepartmentCommand::Remove {
            street,
            department,
            db,
        } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let name = store
                .write(move |conn| {
                    departments::remove(conn, &scope, &actor, at, street.trim(), &department)
                })
                .await
                .map_err(explain)?;
            println!("{}", say("cli.department_removed", &[("name", name)]));
        }
    }
    Ok(())
}

pub async fn client(
    config_file: Option<&PathBuf>,
    system: &Principal,
    action: ClientCommand,
) -> anyhow::Result<()> {
    match action {
        ClientCommand::Add {
            name,
            street,
            channel,
            db,
        } => {
            let Some(channel) = jiedao_core::case::Channel::parse(&channel) else {
                bail!(say("cli.bad_channel", &[("channel", channel)]));
            };
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (client, token) = store
                .add_client(system.scope(), system.actor(None), name, street, channel)
                .await
                .map_err(explain)?;
            println!(
                "{}",
                say(
                    "cli.client_added",
                    &[("name", client.name), ("token", token)]
                )
            );
        }
        ClientCommand::List { db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let scope = system.scope();
            let found = store
                .read(move |conn| clients::list(conn, &scope))
                .await
                .map_err(explain)?;
            let lang = operator_lang();
            table(
                "cli.clients_header",
                found.into_iter().map(|(client, street, created)| {
                    vec![
                        client.name,
                        street,
                        i18n::text(lang, client.channel.label_key()).to_owned(),
                        say(
                            if client.active {
                                "cli.in_use"
                            } else {
                                "cli.stopped"
                            },
                            &[],
                        ),
                        created
                            .with_timezone(&jiedao_core::clock::CHINA)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    ]
                }),
            );
        }
        ClientCommand::Remove { name, db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let key = name.clone();
            store
                .write(move |conn| clients::remove(conn, &scope, &actor, at, &key))
                .await
                .map_err(explain)?;
            println!("{}", say("cli.client_removed", &[("name", name)]));
        }
    }
    Ok(())
}

pub async fn category(
    config_file: Option<&PathBuf>,
    action: CategoryCommand,
) -> anyhow::Result<()> {
    let CategoryCommand::List { under, db } = action;
    let store = crate::open_store(&load(config_file, &db)?).await?;
    let catalog = store.catalog();
    let lang = operator_lang();
    let under = under.unwrap_or_default();
    let word = |key: &str| i18n::text(lang, key).to_owned();
    table(
        "cli.categories_header",
        catalog
            .all()
            .iter()
            .filter(|c| c.code.starts_with(under.trim()))
            .map(|c| {
                let limits = &c.settings.limits;
                vec![
                    c.code.clone(),
                    c.name_in(lang).to_owned(),
                    word(c.settings.urgency.label_key()),
                    limits.handle.describe(lang),
                    limits.case.describe(lang),
                    word(if c.settings.public {
                        "cli.public"
                    } else {
                        "cli.staff_only"
                    }),
                    word(if c.active {
                        "cli.in_use"
                    } else {
                        "cli.stopped"
                    }),
                ]
            }),
    );
    Ok(())
}

pub async fn platform(
    config_file: Option<&PathBuf>,
    action: PlatformCommand,
) -> anyhow::Result<()> {
    let PlatformCommand::List { db } = action;
    let store = crate::open_store(&load(config_file, &db)?).await?;
    let sets = store
        .read(departments::platform_sets)
        .await
        .map_err(explain)?;
    let english = operator_lang() == jiedao_core::Lang::En;
    for set in sets {
        println!(
            "{}",
            say(
                if set.active {
                    "cli.platform_set_active"
                } else {
                    "cli.platform_set"
                },
                &[
                    ("code", set.code.clone()),
                    ("name", if english { set.name_en } else { set.name }),
                ],
            )
        );
        for platform in set.platforms {
            println!(
                "  {}:{}\t{}",
                set.code,
                platform.code,
                if english {
                    platform.name_en
                } else {
                    platform.name
                }
            );
        }
    }
    Ok(())
}

pub async fn user(
    config_file: Option<&PathBuf>,
    system: &Principal,
    action: UserCommand,
) -> anyhow::Result<()> {
    match action {
        UserCommand::Add {
            username,
            name,
            role,
            org,
            department,
            password_stdin,
            db,
        } => {
            let role = Role::parse(&role).map_err(|_| {
                anyhow::anyhow!(say(
                    "cli.bad_role",
                    &[
                        ("role", role.clone()),
                        ("roles", Role::ALL.map(Role::as_str).join(", "))
                    ]
                ))
            })?;
            let (password, generated) = read_password(password_stdin)?;
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let new = NewUser {
                username: username.clone(),
                display_name: name,
                role,
                org_code: org,
                department,
                password: password.clone(),
            };
            store
                .create_user(&system.scope(), system.actor(None), new)
                .await
                .map_err(explain)?;
            let mut args = vec![("username", username)];
            let key = if generated {
                args.push(("password", password));
                "cli.user_added_with_password"
            } else {
                "cli.user_added"
            };
            println!("{}", say(key, &args));
        }
        UserCommand::Passwd {
            username,
            password_stdin,
            db,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            let store = crate::open_store(&load(config_file, &db)?).await?;
            store
                .set_password(&system.scope(), system.actor(None), &username, &password)
                .await
                .map_err(explain)?;
            let mut args = vec![("username", username)];
            let key = if generated {
                args.push(("password", password));
                "cli.password_generated"
            } else {
                "cli.password_set"
            };
            println!("{}", say(key, &args));
        }
        UserCommand::Unlock { username, db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let (scope, actor, at) = (system.scope(), system.actor(None), store.now());
            let who = username.clone();
            store
                .write(move |conn| users::unlock(conn, &scope, &actor, at, &who))
                .await
                .map_err(explain)?;
            println!("{}", say("cli.user_unlocked", &[("username", username)]));
        }
        UserCommand::List { db } => {
            let store = crate::open_store(&load(config_file, &db)?).await?;
            let scope = system.scope();
            let found = store.read(move |conn| users::list(conn, &scope)).await?;
            table(
                "cli.users_header",
                found.into_iter().map(|user| {
                    vec![
                        user.username,
                        user.display_name,
                        user.role.to_string(),
                        user.org_code,
                        user.department_name.unwrap_or_default(),
                    ]
                }),
            );
        }
    }
    Ok(())
}
