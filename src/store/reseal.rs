//! Every column that holds a sealed value, for `hotline rekey`: read in batches by id, and each
//! value put back sealed with the current key only if it is still the value that was read (a
//! value changed meanwhile, by retention say, is left to the next pass).

use super::*;

/// Declares the sealed columns once: each variant's table and column, and its two statements.
macro_rules! sealed_columns {
    ($($variant:ident => $table:literal . $column:literal,)*) => {
        /// A column holding sealed values.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum SealedColumn {
            $($variant,)*
        }

        impl SealedColumn {
            pub const ALL: &[SealedColumn] = &[$(SealedColumn::$variant,)*];

            /// `table.column`, for what `hotline rekey` prints.
            pub fn name(self) -> &'static str {
                match self {
                    $(SealedColumn::$variant => concat!($table, ".", $column),)*
                }
            }

            pub(in crate::store) fn select(self) -> &'static str {
                match self {
                    $(SealedColumn::$variant => concat!(
                        "SELECT id, ", $column, " FROM ", $table, " WHERE id > $1 AND ", $column,
                        " IS NOT NULL AND length(", $column, ") > 0 ORDER BY id LIMIT $2"
                    ),)*
                }
            }

            pub(in crate::store) fn update(self) -> &'static str {
                match self {
                    $(SealedColumn::$variant => concat!(
                        "UPDATE ", $table, " SET ", $column, " = $3 WHERE id = $1 AND ", $column, " = $2"
                    ),)*
                }
            }
        }
    };
}

sealed_columns! {
    StaffCalendar => "staff"."calendar_sealed",
    CallCaller => "calls"."caller_sealed",
    VoicemailRecording => "voicemails"."recording_sealed",
    VoicemailAudio => "voicemail_audio"."audio_sealed",
    OutboxTo => "outbox"."to_sealed",
    OutboxBody => "outbox"."body_sealed",
    ConversationContact => "conversations"."contact_sealed",
    MessageBody => "messages"."body_sealed",
    ConsentCodeWord => "consents"."code_word_sealed",
    PlanNote => "planned_follow_ups"."note_sealed",
    PlanHerText => "planned_follow_ups"."her_text_sealed",
    FollowUpNote => "follow_ups"."answer_note_sealed",
}

#[async_trait::async_trait]
pub trait ResealStore: Send + Sync {
    /// Up to `limit` non-empty sealed values of `column` in rows after `after_id`, by id.
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after_id: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Vec<u8>)>>;
    /// Puts `new` in the place of `old` in row `id`; false when the row holds `old` no more.
    async fn reseal(
        &self,
        column: SealedColumn,
        id: i64,
        old: &[u8],
        new: &[u8],
    ) -> StoreResult<bool>;
}

/// The resealing methods of `Store` for `$store`, whose `pool` field is a sqlx pool.
macro_rules! reseal_sql {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::ResealStore for $store {
            async fn sealed_values(
                &self,
                column: $crate::store::SealedColumn,
                after_id: i64,
                limit: i64,
            ) -> StoreResult<Vec<(i64, Vec<u8>)>> {
                Ok(sqlx::query_as(sqlx::AssertSqlSafe(column.select()))
                    .bind(after_id)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn reseal(
                &self,
                column: $crate::store::SealedColumn,
                id: i64,
                old: &[u8],
                new: &[u8],
            ) -> StoreResult<bool> {
                let _turn = self.turns.take().await?;
                let done = sqlx::query(sqlx::AssertSqlSafe(column.update()))
                    .bind(id)
                    .bind(old)
                    .bind(new)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(super) use reseal_sql;
