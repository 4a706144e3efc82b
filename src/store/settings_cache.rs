//! What routes a call (the staff, the rota's rules, the lines, the blocklist), kept in memory.
//! Every step of a call and every text asks who is on duty; reading a dozen rows and decoding
//! their JSON each time cost more than the rest of the request. These change a few times a
//! day, so each store keeps them and reads them again only when `settings_revision` (moved on
//! by triggers with any change to those tables, by any process or by hand) says they changed.
//!
//! That revision is read at most once per [`FRESH_FOR`], so another instance's change (or
//! `hotline import`'s) is seen within that; this process's own changes are seen at once, since
//! each store method that makes one calls [`SettingsCache::changed`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hotline_schedules::StaffMember;

use super::StoredRule;

/// How long a revision read is trusted: the longest another process's change goes unseen.
pub(super) const FRESH_FOR: Duration = Duration::from_millis(100);

/// Rules read from this long before the instant that caused a reading stay in memory, so the
/// rota of the last few days (a call that started an hour ago, a notice about today) is served
/// from memory too; asking about earlier instants goes to the database.
pub(super) const RULES_LOOK_BACK: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// A rule with the columns `rules_between` selects by.
#[derive(Debug, Clone)]
pub(super) struct CachedRule {
    pub rule: StoredRule,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl CachedRule {
    /// The same test as `rules_between`'s SQL: in force and with times somewhere in `[from, to)`.
    pub fn in_force_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.rule.valid_from < to
            && self.rule.valid_until.is_none_or(|until| until > from)
            && self.ends_at.is_none_or(|ends| ends > from)
            && self.starts_at.is_none_or(|starts| starts < to)
    }
}

/// The rules in force at or after `since`, as read at a revision.
#[derive(Debug)]
pub(super) struct CachedRules {
    pub since: DateTime<Utc>,
    pub rules: Vec<CachedRule>,
}

impl CachedRules {
    /// The rules `rules_between(from, to)` would read, for `from` no earlier than `since`.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<StoredRule> {
        self.rules
            .iter()
            .filter(|cached| cached.in_force_between(from, to))
            .map(|cached| cached.rule.clone())
            .collect()
    }
}

/// One kind of setting as read at a revision.
type Kept<T> = Mutex<Option<(i64, Arc<T>)>>;

#[derive(Debug, Default)]
pub(super) struct SettingsCache {
    /// The revision last read, and when.
    checked: Mutex<Option<(Instant, i64)>>,
    /// Moved on by each change this process makes: a revision read that began before it is
    /// not trusted, since it may not include that change.
    changes: AtomicU64,
    staff: Kept<Vec<StaffMember>>,
    lines: Kept<HashMap<String, String>>,
    /// Each blocked number's hash, with the latest `until` of its entries.
    blocks: Kept<HashMap<String, DateTime<Utc>>>,
    rules: Kept<CachedRules>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SettingsCache {
    /// The current revision: the last one read if it is fresh, otherwise `read`'s.
    pub async fn revision<E>(
        &self,
        read: impl std::future::Future<Output = Result<i64, E>>,
    ) -> Result<i64, E> {
        if let Some((at, revision)) = *lock(&self.checked)
            && at.elapsed() < FRESH_FOR
        {
            return Ok(revision);
        }
        let changes = self.changes.load(Ordering::SeqCst);
        let started = Instant::now();
        let revision = read.await?;
        if self.changes.load(Ordering::SeqCst) == changes {
            *lock(&self.checked) = Some((started, revision));
        }
        Ok(revision)
    }

    /// This process changed a setting: the next question reads the revision again.
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::SeqCst);
        *lock(&self.checked) = None;
    }

    pub fn staff(&self, revision: i64) -> Option<Arc<Vec<StaffMember>>> {
        current(&self.staff, revision)
    }

    pub fn keep_staff(&self, revision: i64, staff: Vec<StaffMember>) -> Arc<Vec<StaffMember>> {
        keep(&self.staff, revision, staff)
    }

    pub fn lines(&self, revision: i64) -> Option<Arc<HashMap<String, String>>> {
        current(&self.lines, revision)
    }

    pub fn keep_lines(
        &self,
        revision: i64,
        lines: HashMap<String, String>,
    ) -> Arc<HashMap<String, String>> {
        keep(&self.lines, revision, lines)
    }

    pub fn blocks(&self, revision: i64) -> Option<Arc<HashMap<String, DateTime<Utc>>>> {
        current(&self.blocks, revision)
    }

    pub fn keep_blocks(
        &self,
        revision: i64,
        entries: impl IntoIterator<Item = (String, DateTime<Utc>)>,
    ) -> Arc<HashMap<String, DateTime<Utc>>> {
        let mut blocks = HashMap::new();
        for (hash, until) in entries {
            let latest = blocks.entry(hash).or_insert(until);
            *latest = (*latest).max(until);
        }
        keep(&self.blocks, revision, blocks)
    }

    pub fn rules(&self, revision: i64) -> Option<Arc<CachedRules>> {
        current(&self.rules, revision)
    }

    pub fn keep_rules(&self, revision: i64, rules: CachedRules) -> Arc<CachedRules> {
        keep(&self.rules, revision, rules)
    }
}

fn current<T>(kept: &Kept<T>, revision: i64) -> Option<Arc<T>> {
    lock(kept)
        .as_ref()
        .filter(|(at, _)| *at == revision)
        .map(|(_, value)| value.clone())
}

/// Keeps `value` as read at `revision`, unless something read at a later revision is kept.
fn keep<T>(kept: &Kept<T>, revision: i64, value: T) -> Arc<T> {
    let value = Arc::new(value);
    let mut kept = lock(kept);
    if kept.as_ref().is_none_or(|(at, _)| *at <= revision) {
        *kept = Some((revision, value.clone()));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> SettingsCache {
        SettingsCache::default()
    }

    #[tokio::test]
    async fn a_fresh_revision_is_not_read_again_and_a_change_of_ours_makes_it_read() {
        let cache = cache();
        let reads = std::sync::atomic::AtomicUsize::new(0);
        let read = || async {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(7)
        };
        assert_eq!(cache.revision(read()).await, Ok(7));
        assert_eq!(cache.revision(read()).await, Ok(7));
        assert_eq!(reads.load(Ordering::SeqCst), 1, "fresh: not read again");
        cache.changed();
        assert_eq!(cache.revision(read()).await, Ok(7));
        assert_eq!(reads.load(Ordering::SeqCst), 2, "our change: read again");
    }

    #[tokio::test]
    async fn a_stale_revision_is_read_again() {
        let cache = cache();
        assert_eq!(cache.revision(async { Ok::<_, ()>(1) }).await, Ok(1));
        tokio::time::sleep(FRESH_FOR + Duration::from_millis(20)).await;
        assert_eq!(cache.revision(async { Ok::<_, ()>(2) }).await, Ok(2));
    }

    #[tokio::test]
    async fn a_read_that_began_before_our_change_is_not_trusted() {
        let cache = cache();
        let read = async {
            // Our own change lands while this read is on its way.
            cache.changed();
            Ok::<_, ()>(1)
        };
        assert_eq!(cache.revision(read).await, Ok(1));
        assert_eq!(
            cache.revision(async { Ok::<_, ()>(2) }).await,
            Ok(2),
            "the read from before the change was not kept"
        );
    }

    #[test]
    fn what_is_kept_serves_its_own_revision_only_and_never_goes_back() {
        let cache = cache();
        cache.keep_lines(3, HashMap::from([("default".into(), "{}".into())]));
        assert!(cache.lines(3).is_some());
        assert!(cache.lines(4).is_none(), "another revision reads again");
        cache.keep_lines(5, HashMap::new());
        cache.keep_lines(4, HashMap::from([("old".into(), "{}".into())]));
        assert_eq!(
            cache.lines(5).map(|lines| lines.len()),
            Some(0),
            "a slower, older reading does not replace a newer one"
        );
    }

    #[test]
    fn a_number_is_blocked_until_its_latest_entry_ends() {
        let cache = cache();
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("a time");
        let blocks = cache.keep_blocks(
            1,
            [
                ("h".to_owned(), at("2026-12-07T00:00:00Z")),
                ("h".to_owned(), at("2026-12-09T00:00:00Z")),
                ("h".to_owned(), at("2026-12-08T00:00:00Z")),
            ],
        );
        assert_eq!(blocks.get("h"), Some(&at("2026-12-09T00:00:00Z")));
    }

    #[test]
    fn rules_are_chosen_as_the_query_chooses_them() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("a time");
        let rule = |id,
                    valid_from: &str,
                    valid_until: Option<&str>,
                    starts: Option<&str>,
                    ends: Option<&str>| CachedRule {
            rule: StoredRule {
                id,
                kind: super::super::RuleKind::Shift,
                body: String::new(),
                valid_from: at(valid_from),
                valid_until: valid_until.map(at),
                replaced_by: None,
            },
            starts_at: starts.map(at),
            ends_at: ends.map(at),
        };
        let kept = CachedRules {
            since: at("2026-12-01T00:00:00Z"),
            rules: vec![
                // A shift on the 6th, 09:00–18:00, in force throughout.
                rule(
                    1,
                    "2026-11-01T00:00:00Z",
                    None,
                    Some("2026-12-06T09:00:00Z"),
                    Some("2026-12-06T18:00:00Z"),
                ),
                // A rotation edited away at noon on the 6th.
                rule(
                    2,
                    "2026-11-01T00:00:00Z",
                    Some("2026-12-06T12:00:00Z"),
                    None,
                    None,
                ),
                // Its replacement from then on.
                rule(3, "2026-12-06T12:00:00Z", None, None, None),
            ],
        };
        let ids = |from: &str, to: &str| {
            kept.between(at(from), at(to))
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(ids("2026-12-06T08:00:00Z", "2026-12-06T08:00:01Z"), vec![2]);
        assert_eq!(
            ids("2026-12-06T10:00:00Z", "2026-12-06T10:00:01Z"),
            vec![1, 2]
        );
        assert_eq!(
            ids("2026-12-06T12:00:00Z", "2026-12-06T12:00:01Z"),
            vec![1, 3],
            "the edit's instant belongs to the new rule"
        );
        assert_eq!(
            ids("2026-12-06T18:00:00Z", "2026-12-07T00:00:00Z"),
            vec![3],
            "a shift's end is not in it"
        );
        assert_eq!(
            ids("2026-12-06T00:00:00Z", "2026-12-07T00:00:00Z"),
            vec![1, 2, 3]
        );
    }
}
