//! Sessions, sign-ins under way, API tokens (their hashes) and the activity list.

use jiff::Timestamp;
use sqlx::Row as _;
use sqlx::any::AnyRow;
use supportops_ports::StoreError;
use supportops_ports::store::AuthStore;
use supportops_ports::store::auth::{Activity, ApiToken, PendingSignIn, Role, SessionRecord};

use super::codec::{corrupt, time_from_text, time_to_text};
use super::{SqliteStore, query_err};

fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| corrupt("a role", text, "not viewer or editor"))
}

fn opt_time(text: Option<String>) -> Result<Option<Timestamp>, StoreError> {
    text.as_deref().map(time_from_text).transpose()
}

fn read_session(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    let get = query_err("reading a session");
    Ok(SessionRecord {
        id_hash: row.try_get("id_hash").map_err(&get)?,
        username: row.try_get("username").map_err(&get)?,
        name: row.try_get("name").map_err(&get)?,
        role: role(row.try_get::<&str, _>("role").map_err(&get)?)?,
        csrf: row.try_get("csrf").map_err(&get)?,
        created_at: time_from_text(row.try_get::<&str, _>("created_at").map_err(&get)?)?,
        expires_at: time_from_text(row.try_get::<&str, _>("expires_at").map_err(&get)?)?,
    })
}

fn read_token(row: &AnyRow) -> Result<ApiToken, StoreError> {
    let get = query_err("reading an API token");
    Ok(ApiToken {
        name: row.try_get("name").map_err(&get)?,
        hash: row.try_get("hash").map_err(&get)?,
        role: role(row.try_get::<&str, _>("role").map_err(&get)?)?,
        created_at: time_from_text(row.try_get::<&str, _>("created_at").map_err(&get)?)?,
        revoked_at: opt_time(row.try_get("revoked_at").map_err(&get)?)?,
        last_used_at: opt_time(row.try_get("last_used_at").map_err(&get)?)?,
    })
}

#[async_trait::async_trait]
impl AuthStore for SqliteStore {
    async fn create_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        let doing = "storing a session";
        let mut tx = self.begin_write(doing).await?;
        sqlx::query(
            "INSERT INTO auth_sessions (id_hash, username, name, role, csrf, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.id_hash)
        .bind(&s.username)
        .bind(&s.name)
        .bind(s.role.as_str())
        .bind(&s.csrf)
        .bind(time_to_text(s.created_at))
        .bind(time_to_text(s.expires_at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn find_session(
        &self,
        id_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, username, name, role, csrf, created_at, expires_at \
             FROM auth_sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(self.pool())
        .await
        .map_err(query_err("reading a session"))?;
        match row {
            Some(row) => {
                let s = read_session(&row)?;
                Ok((s.expires_at > now).then_some(s))
            }
            None => Ok(None),
        }
    }

    async fn delete_session(&self, id_hash: &str, now: Timestamp) -> Result<(), StoreError> {
        let doing = "ending a session";
        let mut tx = self.begin_write(doing).await?;
        sqlx::query("DELETE FROM auth_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        // Sessions ended well before now go too (RFC 3339 UTC text sorts as time to the
        // second); an ended one still here is refused on reading anyway.
        sqlx::query("DELETE FROM auth_sessions WHERE expires_at < $1")
            .bind(time_to_text(now))
            .execute(&mut *tx)
            .await
            .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn begin_sign_in(&self, p: &PendingSignIn) -> Result<(), StoreError> {
        let doing = "recording a sign-in";
        let mut tx = self.begin_write(doing).await?;
        sqlx::query(
            "INSERT INTO auth_sign_ins (state_hash, verifier, next, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&p.state_hash)
        .bind(&p.verifier)
        .bind(&p.next)
        .bind(time_to_text(p.created_at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn take_sign_in(&self, state_hash: &str) -> Result<Option<PendingSignIn>, StoreError> {
        let doing = "finishing a sign-in";
        let mut tx = self.begin_write(doing).await?;
        let row = sqlx::query(
            "DELETE FROM auth_sign_ins WHERE state_hash = $1 \
             RETURNING state_hash, verifier, next, created_at",
        )
        .bind(state_hash)
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        let get = query_err(doing);
        row.map(|row| {
            Ok(PendingSignIn {
                state_hash: row.try_get("state_hash").map_err(&get)?,
                verifier: row.try_get("verifier").map_err(&get)?,
                next: row.try_get("next").map_err(&get)?,
                created_at: time_from_text(row.try_get::<&str, _>("created_at").map_err(&get)?)?,
            })
        })
        .transpose()
    }

    async fn create_token(&self, t: &ApiToken) -> Result<(), StoreError> {
        let doing = "storing an API token";
        let mut tx = self.begin_write(doing).await?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = $1 AND revoked_at IS NULL")
                .bind(&t.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(query_err(doing))?;
        if taken.is_some() {
            return Err(StoreError::Conflict(format!(
                "a token named `{}` exists; revoke it first or choose another name",
                t.name
            )));
        }
        sqlx::query(
            "INSERT INTO api_tokens (name, hash, role, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&t.name)
        .bind(&t.hash)
        .bind(t.role.as_str())
        .bind(time_to_text(t.created_at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn use_token(&self, hash: &str, now: Timestamp) -> Result<Option<ApiToken>, StoreError> {
        let doing = "checking an API token";
        let mut tx = self.begin_write(doing).await?;
        let row = sqlx::query(
            "UPDATE api_tokens SET last_used_at = $2 WHERE hash = $1 AND revoked_at IS NULL \
             RETURNING name, hash, role, created_at, revoked_at, last_used_at",
        )
        .bind(hash)
        .bind(time_to_text(now))
        .fetch_optional(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        row.as_ref().map(read_token).transpose()
    }

    async fn tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, hash, role, created_at, revoked_at, last_used_at FROM api_tokens \
             ORDER BY name, id",
        )
        .fetch_all(self.pool())
        .await
        .map_err(query_err("listing API tokens"))?;
        rows.iter().map(read_token).collect()
    }

    async fn revoke_token(&self, name: &str, at: Timestamp) -> Result<bool, StoreError> {
        let doing = "revoking an API token";
        let mut tx = self.begin_write(doing).await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
        )
        .bind(name)
        .bind(time_to_text(at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))?;
        Ok(done.rows_affected() > 0)
    }

    async fn log_activity(&self, a: &Activity) -> Result<(), StoreError> {
        let doing = "recording activity";
        let mut tx = self.begin_write(doing).await?;
        sqlx::query(
            "INSERT INTO activity (item, actor, action, detail, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.item)
        .bind(&a.actor)
        .bind(&a.action)
        .bind(&a.detail)
        .bind(time_to_text(a.at))
        .execute(&mut *tx)
        .await
        .map_err(query_err(doing))?;
        tx.commit().await.map_err(query_err(doing))
    }

    async fn activity(&self, item: &str) -> Result<Vec<Activity>, StoreError> {
        let doing = "reading activity";
        let rows = sqlx::query(
            "SELECT item, actor, action, detail, at FROM activity WHERE item = $1 ORDER BY id",
        )
        .bind(item)
        .fetch_all(self.pool())
        .await
        .map_err(query_err(doing))?;
        let get = query_err(doing);
        rows.iter()
            .map(|row| {
                Ok(Activity {
                    item: row.try_get("item").map_err(&get)?,
                    actor: row.try_get("actor").map_err(&get)?,
                    action: row.try_get("action").map_err(&get)?,
                    detail: row.try_get("detail").map_err(&get)?,
                    at: time_from_text(row.try_get::<&str, _>("at").map_err(&get)?)?,
                })
            })
            .collect()
    }
}
