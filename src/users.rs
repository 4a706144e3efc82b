//! `hotline user add`: a user for the coordinator's pages, made from the command line. The
//! password is read from standard input (one line), so it never sits in the shell's history or
//! the process list.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context;

use crate::config::DatabaseArgs;
use crate::store::{NewUser, PageLanguage, Role};
use crate::web::pages::{SHORTEST_PASSWORD, hash_password};

pub async fn add(
    database: &DatabaseArgs,
    login: &str,
    role: &str,
    staff_id: Option<i64>,
    language: &str,
    name: Option<String>,
) -> anyhow::Result<()> {
    let login = login.trim().to_lowercase();
    anyhow::ensure!(!login.is_empty(), "the login is empty");
    let role = Role::from_name(role).context("--role is coordinator or staff")?;
    let language = PageLanguage::from_name(language).context("--language is ru, kk or en")?;
    let store = crate::store::open(&database.database_url).await?;
    if let Some(staff_id) = staff_id {
        anyhow::ensure!(
            store.staff_member(staff_id).await?.is_some(),
            "no staff member has id {staff_id}"
        );
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!(
            "Password for {login} (at least {SHORTEST_PASSWORD} characters; it is shown as you type): "
        );
        std::io::stderr().flush()?;
    }
    let mut password = String::new();
    stdin.lock().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        password.chars().count() >= SHORTEST_PASSWORD,
        "the password needs at least {SHORTEST_PASSWORD} characters"
    );
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
    let user = NewUser {
        name: name.unwrap_or_else(|| login.clone()),
        login: login.clone(),
        password_hash,
        role,
        staff_id,
        language,
        created_at: chrono::Utc::now(),
    };
    match store.create_user(&user).await? {
        Some(id) => {
            println!("added {login} ({}) as user {id}", role.as_str());
            Ok(())
        }
        None => anyhow::bail!("the login {login} is taken"),
    }
}
