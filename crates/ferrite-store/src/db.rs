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
    Bool(Option<bool>),
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
    bool => |v| Arg::Bool(Some(v)),
    Option<bool> => |v| Arg::Bool(v),
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
    text: Text<'q>,
    args: Vec<Arg<'q>>,
}

#[derive(Debug)]
enum Text<'q> {
    /// The same text on both backends.
    Shared(Cow<'q, str>),
    /// `head (…), (…) tail`: `groups` groups of `per_group` placeholders, written for the backend
    /// at hand when the statement runs. SQLite gets anonymous `?`: it looks numbered `$n` up
    /// by name one at a time, which is quadratic in a statement of thousands of them.
    Groups { head: &'q str, groups: usize, per_group: usize, tail: &'q str },
}

/// A statement to bind values to: `sql("… WHERE id = $1").bind(id)`.
pub(crate) fn sql<'q>(text: impl Into<Cow<'q, str>>) -> Statement<'q> {
    Statement { text: Text::Shared(text.into()), args: Vec::new() }
}

/// `head ($1, …), (…) tail`: a multi-row insert of `rows` rows of `columns` values (`head` ending
/// in `VALUES`), with room reserved for its binds.
pub(crate) fn rows_insert<'q>(head: &'q str, rows: usize, columns: usize, tail: &'q str) -> Statement<'q> {
    Statement {
        text: Text::Groups { head, groups: rows, per_group: columns, tail },
        args: Vec::with_capacity(rows * columns),
    }
}

/// `head ($1, …, $n) tail`: a statement with a list of `n` values (`… IN`).
pub(crate) fn list_statement<'q>(head: &'q str, n: usize, tail: &'q str) -> Statement<'q> {
    rows_insert(head, 1, n, tail)
}

impl<'q> Statement<'q> {
    /// The text to send to `backend`.
    fn text(&self, backend: Backend) -> Cow<'_, str> {
        let Text::Groups { head, groups, per_group, tail } = self.text else {
            let Text::Shared(text) = &self.text else { unreachable!() };
            return Cow::Borrowed(text);
        };
        use std::fmt::Write;
        let mut text = String::with_capacity(head.len() + tail.len() + groups * (per_group * 8 + 4));
        text.push_str(head);
        for group in 0..groups {
            text.push_str(if group == 0 { " (" } else { ", (" });
            for column in 0..per_group {
                text.push_str(if column == 0 { "" } else { ", " });
                match backend {
                    Backend::Sqlite => text.push('?'),
                    Backend::Postgres => {
                        write!(text, "${}", group * per_group + column + 1).expect("writing to a String")
                    }
                }
            }
            text.push(')');
        }
        text.push_str(tail);
        Cow::Owned(text)
    }

    pub(crate) fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self
    }

    /// The bound values as one driver's arguments.
    fn arguments<'a, A>(&'a self) -> Result<A, sqlx::Error>
    where
        A: Arguments<'a> + Default,
        Option<i64>: Encode<'a, A::Database> + Type<A::Database>,
        Option<bool>: Encode<'a, A::Database> + Type<A::Database>,
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
            Conn::Sqlite(c) => sqlx::query_with(&s.text(Backend::Sqlite), s.arguments::<SqliteArguments>()?)
                .execute(c)
                .await?
                .rows_affected(),
            Conn::Postgres(c) => sqlx::query_with(&s.text(Backend::Postgres), s.arguments::<PgArguments>()?)
                .execute(c)
                .await?
                .rows_affected(),
        })
    }

    async fn fetch_optional<R: Record>(self, s: &Statement<'_>) -> Result<Option<R>, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => {
                sqlx::query_as_with(&s.text(Backend::Sqlite), s.arguments::<SqliteArguments>()?).fetch_optional(c).await
            }
            Conn::Postgres(c) => {
                sqlx::query_as_with(&s.text(Backend::Postgres), s.arguments::<PgArguments>()?).fetch_optional(c).await
            }
        }
    }

    async fn fetch_all<R: Record>(self, s: &Statement<'_>) -> Result<Vec<R>, sqlx::Error> {
        match self {
            Conn::Sqlite(c) => {
                sqlx::query_as_with(&s.text(Backend::Sqlite), s.arguments::<SqliteArguments>()?).fetch_all(c).await
            }
            Conn::Postgres(c) => {
                sqlx::query_as_with(&s.text(Backend::Postgres), s.arguments::<PgArguments>()?).fetch_all(c).await
            }
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
    fn a_multi_row_insert_is_written_for_each_backend() {
        let insert = rows_insert("INSERT INTO t (a, b) VALUES", 2, 2, " ON CONFLICT DO NOTHING");
        assert_eq!(
            insert.text(Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO NOTHING"
        );
        assert_eq!(insert.text(Backend::Sqlite), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT DO NOTHING");
        let list = list_statement("SELECT id FROM t WHERE id IN", 3, " ORDER BY id");
        assert_eq!(list.text(Backend::Postgres), "SELECT id FROM t WHERE id IN ($1, $2, $3) ORDER BY id");
    }
}
