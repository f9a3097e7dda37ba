//! `lurewatch partner add|list|revoke`: the organisations that may call the API.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use lurewatch::store::partner::{AuditEntry, Partner, hash_token, new_token, token_hint};
use lurewatch::store::{
    AuditStore, PartnerStore, Scope, SqliteStore, StoreError, country_code, language_tag,
    now_millis, rfc3339,
};

use super::{DbArg, Exit};

#[derive(Debug, Subcommand)]
pub enum PartnerCommand {
    /// Add a partner and print its token (shown only this once).
    Add(AddArgs),
    /// List partners: name, scope, token hint, created, revoked.
    List(ListArgs),
    /// Revoke a partner's token and stop its webhooks.
    Revoke(RevokeArgs),
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A unique name for the organisation.
    pub name: String,
    /// Only ads in this language (repeat for several; `pt` covers `pt-BR`). Default: any.
    #[arg(long = "language", value_name = "TAG")]
    pub languages: Vec<String>,
    /// Only ads targeting this country (ISO code; repeat for several). Default: any.
    #[arg(long = "country", value_name = "CODE")]
    pub countries: Vec<String>,
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub db: DbArg,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The partner's name.
    pub name: String,
    #[command(flatten)]
    pub db: DbArg,
}

pub fn run(command: PartnerCommand) -> anyhow::Result<Exit> {
    match command {
        PartnerCommand::Add(args) => add(args),
        PartnerCommand::List(args) => list(args),
        PartnerCommand::Revoke(args) => revoke(args),
    }
}

/// A scope from `--language` and `--country` options, checked.
pub fn scope_from(languages: &[String], countries: &[String]) -> anyhow::Result<Scope> {
    let mut scope = Scope::default();
    for language in languages {
        match language_tag(language) {
            Some(tag) => scope.languages.push(tag),
            None => bail!("`{language}` is not a language tag; use one such as th, vi or pt-BR"),
        }
    }
    for country in countries {
        match country_code(country) {
            Some(code) => scope.countries.push(code),
            None => bail!("`{country}` is not a country code; use two letters such as KH or TH"),
        }
    }
    scope.languages.dedup();
    scope.countries.dedup();
    Ok(scope)
}

/// The scope in words.
pub fn describe(scope: &Scope) -> String {
    if scope.is_everything() {
        return "everything".into();
    }
    let mut parts = Vec::new();
    if !scope.languages.is_empty() {
        parts.push(format!("languages {}", scope.languages.join(", ")));
    }
    if !scope.countries.is_empty() {
        parts.push(format!("countries {}", scope.countries.join(", ")));
    }
    parts.join("; ")
}

/// Writes an operator action to the audit log; a failure to do so is reported, not fatal.
pub fn audit(store: &SqliteStore, action: &str, target: &str, outcome: u16, detail: String) {
    let operator = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let entry = AuditEntry {
        at: now_millis(),
        partner_id: None,
        action: action.to_string(),
        target: Some(target.to_string()),
        outcome,
        detail: Some(format!("operator {operator}; {detail}")),
    };
    if let Err(e) = store.audit(&[entry]) {
        eprintln!("lurewatch: warning: the action could not be written to the audit log: {e}");
    }
}

fn add(args: AddArgs) -> anyhow::Result<Exit> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        bail!("a partner name must be 1 to 64 characters, without control characters");
    }
    let scope = scope_from(&args.languages, &args.countries)?;
    let store = args.db.open()?;
    let token = new_token();
    let added = store.add_partner(
        name,
        &scope,
        &hash_token(&token),
        &token_hint(&token),
        now_millis(),
    );
    let partner = match added {
        Ok(partner) => partner,
        Err(e) => {
            let outcome = if matches!(e, StoreError::Conflict(_)) {
                409
            } else {
                500
            };
            audit(&store, "partner add", name, outcome, e.to_string());
            return Err(e).context("the partner was not added");
        }
    };
    audit(
        &store,
        "partner add",
        name,
        200,
        format!("scope {}", describe(&scope)),
    );
    println!(
        "Partner `{}` added; it sees {}.",
        partner.name,
        describe(&partner.scope)
    );
    println!("Token: {token}");
    println!(
        "Give this token to the partner now, over a safe channel. It is stored only as a hash and will not be shown again."
    );
    Ok(Exit::Ok)
}

fn list(args: ListArgs) -> anyhow::Result<Exit> {
    let store = args.db.open()?;
    let partners = store.partners().context("cannot read the partners")?;
    if partners.is_empty() {
        println!("No partners yet; add one with `lurewatch partner add NAME`.");
        return Ok(Exit::Ok);
    }
    print!("{}", table(&partners));
    Ok(Exit::Ok)
}

/// The partners as an aligned text table.
fn table(partners: &[Partner]) -> String {
    let header = ["NAME", "SCOPE", "TOKEN", "CREATED", "REVOKED"];
    let rows: Vec<[String; 5]> = partners
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                describe(&p.scope),
                p.token_hint.clone(),
                rfc3339(p.created_at),
                p.revoked_at.map(rfc3339).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&header.map(String::from));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

fn revoke(args: RevokeArgs) -> anyhow::Result<Exit> {
    let store = args.db.open()?;
    match store.revoke_partner(args.name.trim(), now_millis()) {
        Ok(partner) => {
            audit(
                &store,
                "partner revoke",
                &partner.name,
                200,
                "token revoked".into(),
            );
            println!(
                "Partner `{}` revoked: its token no longer works and its webhooks are stopped.",
                partner.name
            );
            Ok(Exit::Ok)
        }
        Err(StoreError::NotFound(_)) => {
            audit(
                &store,
                "partner revoke",
                &args.name,
                404,
                "no such partner".into(),
            );
            bail!(
                "there is no partner named `{}`; see `lurewatch partner list`",
                args.name
            )
        }
        Err(e) => Err(e).context("the partner was not revoked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_checked_and_described() {
        let scope = scope_from(&["th".into(), "pt-BR".into()], &["kh".into()]).unwrap();
        assert_eq!(describe(&scope), "languages th, pt-BR; countries KH");
        assert_eq!(describe(&Scope::default()), "everything");
        assert!(scope_from(&["thai!".into()], &[]).is_err());
        assert!(scope_from(&[], &["Cambodia".into()]).is_err());
    }
}
