//! Small pieces several pages share.

mod notice;

pub use notice::{ErrorNotice, NotFound};
