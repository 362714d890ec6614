//! Small pieces several pages share: the form kit, notices, the table of what a payment pays,
//! and the copy button.

mod copy_field;
mod form;
mod notice;
mod pay_lines;

pub use copy_field::CopyField;
pub use form::{
    AuthorizeBox, Choice, FieldMessage, FormMessage, RadioGroup, TextField, action_result, choices,
    field_message, is_first_refused,
};
pub use notice::{ErrorNotice, NotFound};
pub use pay_lines::{PayLine, PayLinesTable};
