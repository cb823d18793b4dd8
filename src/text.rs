//! Text from files and the command line made safe to print: control characters (a terminal
//! escape in an object's name) written as escapes.

/// `text` with its control characters (a terminal escape in an object's name) written as
/// escapes, so that printing it can neither drive a terminal nor hide in a log.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}
