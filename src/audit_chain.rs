//! The audit log as a hash chain. Each entry's hash covers the hash before it and the entry's
//! content; its personal fields (`before`, `after`) enter only as digests salted per entry, so
//! retention can erase them with their salt and leave a chain that still verifies and a digest
//! nobody can guess the erased words from. `Walk` checks a log, oldest entry first.

use sha2::{Digest, Sha256};

use crate::store::{AuditEntry, AuditStore, ChainedAudit, StoreResult};

/// The hash "before" the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the store keeps beside an entry to chain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub salt: String,
    pub before_digest: String,
    pub after_digest: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Links `entry` after `prev_hash`, with a fresh salt.
pub fn link(entry: &AuditEntry, prev_hash: &str) -> Link {
    link_with_salt(entry, prev_hash, hex::encode(rand::random::<[u8; 16]>()))
}

fn link_with_salt(entry: &AuditEntry, prev_hash: &str, salt: String) -> Link {
    let before_digest = field_digest(&salt, entry.before.as_deref());
    let after_digest = field_digest(&salt, entry.after.as_deref());
    let hash = entry_hash(prev_hash, entry, &before_digest, &after_digest);
    Link {
        salt,
        before_digest,
        after_digest,
        prev_hash: prev_hash.to_owned(),
        hash,
    }
}

/// A personal field's digest: salted, so the digest alone tells nothing of the words.
pub fn field_digest(salt: &str, field: Option<&str>) -> String {
    match field {
        None => "-".to_owned(),
        Some(text) => {
            let mut hasher = Sha256::new();
            hasher.update(salt.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hex::encode(hasher.finalize())
        }
    }
}

/// The entry's hash. Each part is length-prefixed, so no two entries can run together into one.
/// The time counts in microseconds, as PostgreSQL keeps it.
pub fn entry_hash(
    prev_hash: &str,
    entry: &AuditEntry,
    before_digest: &str,
    after_digest: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"hotline-audit-v1");
    let at = entry.at.timestamp_micros().to_string();
    for part in [
        prev_hash,
        &at,
        &entry.actor,
        &entry.action,
        &entry.subject,
        before_digest,
        after_digest,
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Where and how the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("entry {0} has no hash, after entries that have one: it was slipped in")]
    Unhashed(i64),
    #[error("entry {0} does not follow the entry before it: an entry was removed or reordered")]
    Unlinked(i64),
    #[error("entry {0} was changed after it was written")]
    Changed(i64),
    #[error("the newest entries are missing: the log ends at {found}, its head says {head}")]
    Truncated { found: i64, head: i64 },
    #[error("entry {0} is not the one the anchor recorded: the log was rewritten since")]
    Unanchored(i64),
}

/// How many hex digits of an entry's hash an anchor carries: short enough for a text message,
/// far too many to forge a rewritten log that matches.
pub const ANCHOR_DIGITS: usize = 16;

/// An entry's hash as recorded outside the database (in the coordinators' morning digest), as
/// `ENTRY:HASH` with at least the first eight digits of the hash. A log rewritten with every
/// hash recomputed still chains; it no longer matches an anchor taken before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub id: i64,
    pub hash_prefix: String,
}

impl Anchor {
    /// The anchor of entry `id` whose hash is `hash`.
    pub fn of(id: i64, hash: &str) -> Self {
        Anchor {
            id,
            hash_prefix: hash.chars().take(ANCHOR_DIGITS).collect(),
        }
    }

    fn matches(&self, row: &ChainedAudit) -> bool {
        row.id == self.id
            && row
                .hash
                .as_deref()
                .is_some_and(|hash| hash.starts_with(&self.hash_prefix))
    }
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.id, self.hash_prefix)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refused =
            || format!("{text:?} is not an anchor: write ENTRY:HASH, as the digest gives it");
        let (id, hash) = text.trim().split_once(':').ok_or_else(refused)?;
        let id = id
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(refused)?;
        let hash_prefix = hash.to_ascii_lowercase();
        if hash_prefix.len() < 8 || !hash_prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(refused());
        }
        Ok(Anchor { id, hash_prefix })
    }
}

/// A verified log: how many entries the chain covers, how many of those had personal words
/// erased by retention (outside the check), and how many came before the chain began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub chained: u64,
    pub erased: u64,
    pub before_chain: u64,
    pub head: String,
}

/// A walk along the log, oldest first.
#[derive(Debug)]
pub struct Walk {
    prev: String,
    last_id: i64,
    chained: u64,
    erased: u64,
    before_chain: u64,
}

impl Default for Walk {
    fn default() -> Self {
        Walk {
            prev: GENESIS.to_owned(),
            last_id: 0,
            chained: 0,
            erased: 0,
            before_chain: 0,
        }
    }
}

impl Walk {
    pub fn step(&mut self, row: &ChainedAudit) -> Result<(), Broken> {
        let id = row.id;
        let (Some(prev_hash), Some(hash), Some(before_digest), Some(after_digest)) = (
            &row.prev_hash,
            &row.hash,
            &row.before_digest,
            &row.after_digest,
        ) else {
            if self.chained > 0 {
                return Err(Broken::Unhashed(id));
            }
            self.before_chain += 1;
            self.last_id = id;
            return Ok(());
        };
        if *prev_hash != self.prev {
            return Err(Broken::Unlinked(id));
        }
        match &row.salt {
            Some(salt) => {
                let words_kept = field_digest(salt, row.entry.before.as_deref()) == *before_digest
                    && field_digest(salt, row.entry.after.as_deref()) == *after_digest;
                if !words_kept {
                    return Err(Broken::Changed(id));
                }
            }
            None => self.erased += 1,
        }
        if entry_hash(prev_hash, &row.entry, before_digest, after_digest) != *hash {
            return Err(Broken::Changed(id));
        }
        self.prev.clone_from(hash);
        self.last_id = id;
        self.chained += 1;
        Ok(())
    }

    /// Ends the walk at the store's head: the newest entry it recorded.
    pub fn finish(self, head_id: i64, head_hash: &str) -> Result<Verified, Broken> {
        if self.chained == 0 && head_id == 0 {
            return Ok(self.verified());
        }
        if self.last_id < head_id || self.prev != head_hash {
            return Err(Broken::Truncated {
                found: self.last_id,
                head: head_id,
            });
        }
        Ok(self.verified())
    }

    fn verified(self) -> Verified {
        Verified {
            chained: self.chained,
            erased: self.erased,
            before_chain: self.before_chain,
            head: self.prev,
        }
    }
}

/// How many entries are read at a time.
const PAGE: i64 = 1000;

/// Walks the store's whole audit log, oldest first, to its head.
pub async fn verify(store: &dyn AuditStore) -> StoreResult<Result<Verified, Broken>> {
    // The head is read first: entries written during the walk come after it and are not asked for.
    let (head_id, head_hash) = store.audit_head().await?;
    let mut walk = Walk::default();
    let mut after = 0;
    loop {
        let rows = store.audit_chain(after, PAGE).await?;
        for row in rows
            .iter()
            .take_while(|row| row.id <= head_id || head_id == 0)
        {
            if let Err(broken) = walk.step(row) {
                return Ok(Err(broken));
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE && (head_id == 0 || last.id < head_id) => {
                after = last.id
            }
            _ => break,
        }
    }
    Ok(walk.finish(head_id, &head_hash))
}

/// Checks that the entry an anchor names still has the hash it recorded. Meant after `verify`,
/// which shows every hash follows from its entry and the one before.
pub async fn check_anchor(
    store: &dyn AuditStore,
    anchor: &Anchor,
) -> StoreResult<Result<(), Broken>> {
    let rows = store.audit_chain(anchor.id - 1, 1).await?;
    Ok(match rows.first() {
        Some(row) if anchor.matches(row) => Ok(()),
        _ => Err(Broken::Unanchored(anchor.id)),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    #[test]
    fn an_anchor_reads_as_the_digest_writes_it() {
        let anchor = Anchor::of(1042, &"3fA9".repeat(16).to_ascii_lowercase());
        assert_eq!(anchor.to_string(), "1042:3fa93fa93fa93fa9");
        assert_eq!(anchor.to_string().parse::<Anchor>(), Ok(anchor));
        assert_eq!(
            "7:ABCDEF01".parse::<Anchor>().map(|a| a.hash_prefix),
            Ok("abcdef01".to_owned())
        );
        for wrong in [
            "",
            "1042",
            "1042:",
            "0:3fa93fa9",
            "x:3fa93fa9",
            "5:3fa9",
            "5:3fa93fzz",
        ] {
            assert!(wrong.parse::<Anchor>().is_err(), "{wrong:?}");
        }
    }

    fn entry(n: u32, after: Option<&str>) -> AuditEntry {
        AuditEntry {
            at: Utc
                .with_ymd_and_hms(2026, 11, 25, 1, n, 0)
                .single()
                .expect("valid"),
            actor: "Гульнара".to_owned(),
            action: "answer-follow-up".to_owned(),
            subject: format!("follow-up/{n}"),
            before: None,
            after: after.map(str::to_owned),
        }
    }

    fn chain(entries: &[AuditEntry]) -> Vec<ChainedAudit> {
        let mut prev = GENESIS.to_owned();
        entries
            .iter()
            .enumerate()
            .map(|(index, entry)| {
                let link = link(entry, &prev);
                prev.clone_from(&link.hash);
                ChainedAudit {
                    id: index as i64 + 1,
                    entry: entry.clone(),
                    salt: Some(link.salt),
                    before_digest: Some(link.before_digest),
                    after_digest: Some(link.after_digest),
                    prev_hash: Some(link.prev_hash),
                    hash: Some(link.hash),
                }
            })
            .collect()
    }

    fn walk(rows: &[ChainedAudit]) -> Result<Verified, Broken> {
        let mut walk = Walk::default();
        for row in rows {
            walk.step(row)?;
        }
        let head = rows
            .last()
            .and_then(|r| r.hash.clone())
            .unwrap_or(GENESIS.to_owned());
        walk.finish(rows.last().map_or(0, |r| r.id), &head)
    }

    fn three() -> Vec<ChainedAudit> {
        chain(&[
            entry(1, Some(r#"{"note":"перезвонили"}"#)),
            entry(2, None),
            entry(3, Some(r#"{"note":"консультация"}"#)),
        ])
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let verified = walk(&three()).expect("intact");
        assert_eq!(
            (verified.chained, verified.erased, verified.before_chain),
            (3, 0, 0)
        );
    }

    #[test]
    fn every_kind_of_tampering_is_caught() {
        let mut changed = three();
        changed[1].entry.actor = "someone else".to_owned();
        assert_eq!(walk(&changed), Err(Broken::Changed(2)));

        let mut reworded = three();
        reworded[0].entry.after = Some(r#"{"note":"не звонили"}"#.to_owned());
        assert_eq!(walk(&reworded), Err(Broken::Changed(1)));

        let mut removed = three();
        removed.remove(1);
        assert_eq!(walk(&removed), Err(Broken::Unlinked(3)));

        let mut cut = three();
        let head = cut[2].hash.clone().expect("hashed");
        cut.pop();
        let mut walk_cut = Walk::default();
        for row in &cut {
            walk_cut.step(row).expect("linked");
        }
        assert_eq!(
            walk_cut.finish(3, &head),
            Err(Broken::Truncated { found: 2, head: 3 })
        );

        let mut slipped = three();
        let mut unhashed = slipped[2].clone();
        unhashed.id = 4;
        unhashed.hash = None;
        slipped.push(unhashed);
        assert_eq!(walk(&slipped), Err(Broken::Unhashed(4)));

        let mut retimed = three();
        retimed[2].entry.at += chrono::Duration::seconds(1);
        assert_eq!(walk(&retimed), Err(Broken::Changed(3)));
    }

    #[test]
    fn words_erased_with_their_salt_leave_a_chain_that_verifies() {
        let mut erased = three();
        erased[0].entry.after = Some("{}".to_owned());
        erased[0].salt = None;
        let verified = walk(&erased).expect("still intact");
        assert_eq!(verified.erased, 1);
        // Erased words without the salt going too are a change.
        let mut kept_salt = three();
        kept_salt[0].entry.after = Some("{}".to_owned());
        assert_eq!(walk(&kept_salt), Err(Broken::Changed(1)));
    }

    #[test]
    fn entries_from_before_the_chain_are_counted_not_checked() {
        let mut rows = three();
        for row in &mut rows {
            row.id += 2;
        }
        let legacy = |id| ChainedAudit {
            id,
            entry: entry(0, None),
            salt: None,
            before_digest: None,
            after_digest: None,
            prev_hash: None,
            hash: None,
        };
        rows.insert(0, legacy(2));
        rows.insert(0, legacy(1));
        let verified = walk(&rows).expect("intact");
        assert_eq!((verified.chained, verified.before_chain), (3, 2));
    }

    #[test]
    fn nothing_runs_together_and_the_same_salt_gives_the_same_link() {
        let a = entry(1, Some("ab"));
        let mut b = a.clone();
        b.actor = format!("{}a", a.actor);
        b.action = a.action[1..].to_owned();
        assert_ne!(
            link_with_salt(&a, GENESIS, "s".into()).hash,
            link_with_salt(&b, GENESIS, "s".into()).hash
        );
        assert_eq!(
            link_with_salt(&a, GENESIS, "s".into()),
            link_with_salt(&a, GENESIS, "s".into())
        );
        assert_ne!(field_digest("s", Some("")), field_digest("s", None));
    }
}
