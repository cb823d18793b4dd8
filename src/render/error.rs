//! Why a figure could not be drawn or encoded; the plot fails with it, and the rank goes on.

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("encoding failed: {0}")]
    Encode(String),
    /// No honest colour range: what the limits or norm left, and what to give instead.
    #[error("no colour scale: {0}")]
    Colours(String),
}
