//! The merchant's own staff, who use the dashboard: what each role may do.

use serde::{Deserialize, Serialize};

/// What a dashboard user may do. The server asks `may_change` before every write: hiding a
/// button is never the only refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Reads and changes everything of the merchant's: payments, customers, settings, users.
    Admin,
    /// Reads everything, changes nothing.
    Viewer,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("The role must be admin or viewer.")]
pub struct StaffRoleError;

impl StaffRole {
    pub const ALL: [Self; 2] = [Self::Admin, Self::Viewer];

    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(code: &str) -> Result<Self, StaffRoleError> {
        Self::ALL
            .into_iter()
            .find(|role| role.code() == code.trim())
            .ok_or(StaffRoleError)
    }

    pub fn may_change(self) -> bool {
        match self {
            Self::Admin => true,
            Self::Viewer => false,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Admin",
            Self::Viewer => "Viewer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_codes() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.code()), Ok(role));
        }
        assert_eq!(StaffRole::parse("owner"), Err(StaffRoleError));
    }

    #[test]
    fn only_admins_may_change_anything() {
        assert!(StaffRole::Admin.may_change());
        assert!(!StaffRole::Viewer.may_change());
    }
}
