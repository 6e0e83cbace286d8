//! Running SQL on either backend. A [`Statement`] is written once — the schema shares its SQL
//! (`$n` placeholders, `ON CONFLICT`, `RETURNING`) — and runs on a [`Db`] (a connection for one
//! statement) or in a [`Tx`], each of which sends it natively through its driver (no `sqlx::Any`).
//! Rows come back as `FromRow` structs ([`Record`]) or single values ([`Value`]).

use std::{borrow::Cow, sync::Arc, time::Duration};

use sqlx::{
    Arguments, Decode, Encode, FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool,
    Transaction, Type,
    postgres::{PgArguments, PgRow},
    sqlite::{SqliteArguments, SqliteRow},
};

use crate::{StoreError, backend::Backend, health::Health};

/// How long a SQLite writer waits for another connection's write lock: the pools' busy timeout,
/// and how long the charger retries (see `metering`).
pub(crate) const BUSY_WAIT: Duration = Duration::from_secs(10);

/// A row type that both drivers can read (derive `sqlx::FromRow`, or a tuple).
pub(crate) trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A column type that both drivers can read.
pub(crate) trait Value:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}
impl<T> Value for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}

/// A value bound to a statement's placeholder. Borrowed where the caller has it, so binding
/// copies no text or bytes.
#[derive(Debug)]
pub(crate) enum Arg<'q> {
    Int(Option<i64>),
    Bool(bool),
    Text(Option<Cow<'q, str>>),
    Bytes(Option<Cow<'q, [u8]>>),
}

macro_rules! arg_from {
    ($($ty:ty => |$v:ident| $arg:expr),* $(,)?) => {
        $(impl<'q> From<$ty> for Arg<'q> {
            fn from($v: $ty) -> Self {
                $arg
            }
        })*
    };
}

arg_from! {
    i64 => |v| Arg::Int(Some(v)),
    Option<i64> => |v| Arg::Int(v),
    bool => |v| Arg::Bool(v),
    &'q str => |v| Arg::Text(Some(Cow::Borrowed(v))),
    &'q String => |v| Arg::Text(Some(Cow::Borrowed(v))),
    String => |v| Arg::Text(Some(Cow::Owned(v))),
    Option<&'q str> => |v| Arg::Text(v.map(Cow::Borrowed)),
    &'q Option<String> => |v| Arg::Text(v.as_deref().map(Cow::Borrowed)),
    Option<String> => |v| Arg::Text(v.map(Cow::Owned)),
    &'q [u8] => |v| Arg::Bytes(Some(Cow::Borrowed(v))),
    &'q Vec<u8> => |v| Arg::Bytes(Some(Cow::Borrowed(v))),
}

/// One SQL statement and its bound values, for either backend.
#[derive(Debug)]
pub(crate) struct Statement<'q> {
    sql: Cow<'q, str>,
    args: Vec<Arg<'q>>,
}

/// A statement to bind values to: `sql("… WHERE id = $1").bind(id)`.
pub(crate) fn sql<'q>(text: impl Into<Cow<'q, str>>) -> Statement<'q> {
    Statement { sql: text.into(), args: Vec::new() }
}

/// `$1, $2, …` for `n` parameters, starting after `first - 1`.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    let mut list = String::with_capacity(n * 7);
    push_placeholders(&mut list, first, n);
    list
}

fn push_placeholders(text: &mut String, first: usize, n: usize) {
    use std::fmt::Write;
    for i in first..first + n {
        let separator = if i == first { "" } else { ", " };
        write!(text, "{separator}${i}").expect("writing to a String");
    }
}

/// `head VALUES ($1, …), (…) tail`: a multi-row insert of `rows` rows of `columns` values, with
/// room reserved for its binds. The text is written into one buffer: no allocation per row.
pub(crate) fn rows_insert<'q>(head: &str, rows: usize, columns: usize, tail: &str) -> Statement<'q> {
    let mut text = String::with_capacity(head.len() + tail.len() + 8 + rows * (columns * 8 + 4));
    text.push_str(head);
    text.push_str(" VALUES ");
    for row in 0..rows {
        text.push_str(if row == 0 { "(" } else { ", (" });
        push_placeholders(&mut text, row * columns + 1, columns);
        text.push(')');
    }
    text.push_str(tail);
    Statement { sql: text.into(), args: Vec::with_capacity(rows * columns) }
}

impl<'q> Statement<'q> {
    pub(crate) fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self
    }

    /// The bound values as one driver's arguments.
    fn arguments<'a, A>(&'a self) -> Result<A, sqlx::Error>
    where
        A: Arguments<'a> + Default,
        Option<i64>: Encode<'a, A::Database> + Type<A::Database>,
        bool: Encode<'a, A::Database> + Type<A::Database>,
        Option<&'a str>: Encode<'a, A::Database> + Type<A::Database>,
        Option<&'a [u8]>: Encode<'a, A::Database> + Type<A::Database>,
    {
        let mut args = A::default();
        for arg in &self.args {
            match arg {
                Arg::Int(v) => args.add(*v),
                Arg::Bool(v) => args.add(*v),
                Arg::Text(v) => args.add(v.as_deref()),
                Arg::Bytes(v) => args.add(v.as_deref()),
            }
            .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
}

/// A connection to run one statement on, whatever its backend.
enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    async fn execute(self, s: &Statement<'_>) -> Result<u64, sqlx::Error> {
        Ok(match self {
            Conn::Sqlite(c) => {
                sqlx::query_with(&s.sql, s.arguments::<SqliteArguments>()?).execute(c).await?.rows_affected()
            }
            Conn::Postgres(c) => {
                sqlx::query_with(&s.sql, s.arguments::<PgArguments>()?).execute(c).await?.rows_affected()
            }
        })
    }

    async fn fetch_optional<R: Record>(self, s: &Statement<'_>) -> Result<Option<R>, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => sqlx::query_as_with(&s.sql, s.arguments::<SqliteArguments>()?).fetch_optional(c).await,
            Conn::Postgres(c) => sqlx::query_as_with(&s.sql, s.arguments::<PgArguments>()?).fetch_optional(c).await,
        }
    }

    async fn fetch_all<R: Record>(self, s: &Statement<'_>) -> Result<Vec<R>, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => sqlx::query_as_with(&s.sql, s.arguments::<SqliteArguments>()?).fetch_all(c).await,
            Conn::Postgres(c) => sqlx::query_as_with(&s.sql, s.arguments::<PgArguments>()?).fetch_all(c).await,
        }
    }
}

/// The open pool of one database, whatever its backend.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// One database: its pool, and (PostgreSQL only) whether it answers. Statements run on it
/// each take a connection of the pool for themselves; [`Db::begin`] opens a transaction.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub(crate) pool: Pool,
    pub(crate) health: Option<Arc<Health>>,
}

enum PooledConn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Postgres(sqlx::pool::PoolConnection<Postgres>),
}

impl PooledConn {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(c),
            PooledConn::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Db {
    pub(crate) fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) fn is_available(&self) -> bool {
        self.health.as_ref().is_none_or(|health| health.is_available())
    }

    /// While PostgreSQL does not answer, `StoreError::Unavailable` at once instead of waiting for
    /// a connection.
    pub(crate) fn refuse_while_unavailable(&self) -> Result<(), StoreError> {
        if self.is_available() { Ok(()) } else { Err(StoreError::Unavailable("the database does not answer".into())) }
    }

    async fn acquire(&self) -> Result<PooledConn, StoreError> {
        self.refuse_while_unavailable()?;
        Ok(match &self.pool {
            Pool::Sqlite(pool) => PooledConn::Sqlite(pool.acquire().await?),
            Pool::Postgres(pool) => PooledConn::Postgres(pool.acquire().await?),
        })
    }

    /// Opens a transaction (a deferred `BEGIN` on SQLite).
    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        self.refuse_while_unavailable()?;
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Opens a transaction that holds the write lock from its start: `BEGIN IMMEDIATE` on
    /// SQLite; on PostgreSQL a plain `BEGIN` (its writers lock rows with `FOR UPDATE`).
    pub(crate) async fn begin_immediate(&self) -> Result<Tx, StoreError> {
        self.refuse_while_unavailable()?;
        Ok(match &self.pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub(crate) async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

/// A transaction on either backend. Helpers that write several statements take `&mut Tx`;
/// dropping it without [`Tx::commit`] rolls everything back.
pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(tx) => Conn::Sqlite(tx),
            Tx::Postgres(tx) => Conn::Postgres(tx),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Running statements, the same on a [`Db`] (`&db`) and in a [`Tx`] (`&mut tx`).
pub(crate) trait Execute: Sized {
    /// Runs a statement; how many rows it changed.
    async fn execute(self, s: Statement<'_>) -> Result<u64, StoreError>;

    async fn fetch_optional<R: Record>(self, s: Statement<'_>) -> Result<Option<R>, StoreError>;

    async fn fetch_all<R: Record>(self, s: Statement<'_>) -> Result<Vec<R>, StoreError>;

    /// The one row a statement answers (`NotFound` when there is none).
    async fn fetch_one<R: Record>(self, s: Statement<'_>) -> Result<R, StoreError> {
        self.fetch_optional(s).await?.ok_or(StoreError::NotFound)
    }

    /// The single value of the one row a statement answers (`NotFound` when there is none).
    async fn scalar<T: Value>(self, s: Statement<'_>) -> Result<T, StoreError> {
        Ok(self.fetch_one::<(T,)>(s).await?.0)
    }

    async fn optional_scalar<T: Value>(self, s: Statement<'_>) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_optional::<(T,)>(s).await?.map(|(v,)| v))
    }

    /// The first column of every row a statement answers.
    async fn scalars<T: Value>(self, s: Statement<'_>) -> Result<Vec<T>, StoreError> {
        Ok(self.fetch_all::<(T,)>(s).await?.into_iter().map(|(v,)| v).collect())
    }
}

/// On the pool: the statement takes a connection for itself.
impl Execute for &Db {
    async fn execute(self, s: Statement<'_>) -> Result<u64, StoreError> {
        Ok(self.acquire().await?.conn().execute(&s).await?)
    }

    async fn fetch_optional<R: Record>(self, s: Statement<'_>) -> Result<Option<R>, StoreError> {
        Ok(self.acquire().await?.conn().fetch_optional(&s).await?)
    }

    async fn fetch_all<R: Record>(self, s: Statement<'_>) -> Result<Vec<R>, StoreError> {
        Ok(self.acquire().await?.conn().fetch_all(&s).await?)
    }
}

impl Execute for &mut Tx {
    async fn execute(self, s: Statement<'_>) -> Result<u64, StoreError> {
        Ok(self.conn().execute(&s).await?)
    }

    async fn fetch_optional<R: Record>(self, s: Statement<'_>) -> Result<Option<R>, StoreError> {
        Ok(self.conn().fetch_optional(&s).await?)
    }

    async fn fetch_all<R: Record>(self, s: Statement<'_>) -> Result<Vec<R>, StoreError> {
        Ok(self.conn().fetch_all(&s).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_row_insert_numbers_its_placeholders_row_after_row() {
        let insert = rows_insert("INSERT INTO t (a, b)", 2, 2, " ON CONFLICT DO NOTHING");
        assert_eq!(insert.sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING");
        assert_eq!(placeholders(1, 3), "$1, $2, $3");
    }
}
