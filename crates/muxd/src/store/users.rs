//! Users (external id → internal UUID, role), campaigns and their influencers: just enough for
//! the content page and for ownership checks.

use std::fmt;
use std::str::FromStr;

use sqlx::any::AnyRow;
use sqlx::Row;

use super::rows::parse;
use super::{now_ms, Store, StoreResult};
use crate::domain::{CampaignId, InfluencerId, UserId};

/// What a user may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();
    fn from_str(text: &str) -> Result<Self, ()> {
        match text {
            "user" => Ok(Role::User),
            "admin" => Ok(Role::Admin),
            _ => Err(()),
        }
    }
}

/// A person known to muxd.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: UserId,
    pub external_id: String,
    pub role: Role,
}

/// A campaign.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Campaign {
    pub id: CampaignId,
    pub owner_id: UserId,
    pub name: String,
}

/// One creator of a campaign.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Influencer {
    pub id: InfluencerId,
    pub campaign_id: CampaignId,
    pub name: String,
    pub handle: Option<String>,
}

fn user(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: parse(row, "id")?,
        external_id: row.try_get("external_id")?,
        role: parse(row, "role")?,
    })
}

fn campaign(row: &AnyRow) -> StoreResult<Campaign> {
    Ok(Campaign {
        id: parse(row, "id")?,
        owner_id: parse(row, "owner_id")?,
        name: row.try_get("name")?,
    })
}

impl Store {
    /// The user behind `external_id`, created on first sight with `role`. An existing user keeps
    /// their id; their role is updated to `role` (the identity provider is the source of truth).
    pub async fn upsert_user(&self, external_id: &str, role: Role) -> StoreResult<User> {
        sqlx::query(
            "INSERT INTO users (id, external_id, role, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (external_id) DO UPDATE SET role = excluded.role",
        )
        .bind(UserId::new().to_string())
        .bind(external_id)
        .bind(role.as_str())
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id, external_id, role FROM users WHERE external_id = $1")
            .bind(external_id)
            .fetch_one(&self.pool)
            .await?;
        user(&row)
    }

    /// A user by external id, if seen before.
    pub async fn user_by_external_id(&self, external_id: &str) -> StoreResult<Option<User>> {
        sqlx::query("SELECT id, external_id, role FROM users WHERE external_id = $1")
            .bind(external_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| user(&row))
            .transpose()
    }

    /// A user by internal id.
    pub async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        sqlx::query("SELECT id, external_id, role FROM users WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| user(&row))
            .transpose()
    }

    /// Creates a campaign owned by `owner`.
    pub async fn create_campaign(&self, owner: UserId, name: &str) -> StoreResult<Campaign> {
        let campaign = Campaign {
            id: CampaignId::new(),
            owner_id: owner,
            name: name.to_owned(),
        };
        sqlx::query(
            "INSERT INTO campaigns (id, owner_id, name, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(campaign.id.to_string())
        .bind(owner.to_string())
        .bind(name)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(campaign)
    }

    /// `owner`'s campaign called `name`, if any (the oldest, if several).
    pub async fn campaign_named(&self, owner: UserId, name: &str) -> StoreResult<Option<Campaign>> {
        sqlx::query(
            "SELECT id, owner_id, name FROM campaigns WHERE owner_id = $1 AND name = $2 ORDER BY created_at LIMIT 1",
        )
        .bind(owner.to_string())
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| campaign(&row))
        .transpose()
    }

    /// A campaign by id.
    pub async fn campaign(&self, id: CampaignId) -> StoreResult<Option<Campaign>> {
        sqlx::query("SELECT id, owner_id, name FROM campaigns WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| campaign(&row))
            .transpose()
    }

    /// Adds a creator to a campaign.
    pub async fn add_influencer(
        &self,
        campaign: CampaignId,
        name: &str,
        handle: Option<&str>,
    ) -> StoreResult<Influencer> {
        let influencer = Influencer {
            id: InfluencerId::new(),
            campaign_id: campaign,
            name: name.to_owned(),
            handle: handle.map(str::to_owned),
        };
        sqlx::query(
            "INSERT INTO influencers (id, campaign_id, name, handle, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(influencer.id.to_string())
        .bind(campaign.to_string())
        .bind(name)
        .bind(handle)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(influencer)
    }

    /// A campaign's creators, oldest first.
    pub async fn influencers(&self, campaign: CampaignId) -> StoreResult<Vec<Influencer>> {
        sqlx::query(
            "SELECT id, campaign_id, name, handle FROM influencers WHERE campaign_id = $1 ORDER BY created_at, name, id",
        )
        .bind(campaign.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(Influencer {
                id: parse(row, "id")?,
                campaign_id: parse(row, "campaign_id")?,
                name: row.try_get("name")?,
                handle: row.try_get("handle")?,
            })
        })
        .collect()
    }
}
