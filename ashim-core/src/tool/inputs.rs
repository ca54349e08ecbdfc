//! The inputs of one tool run, sorted into the tool's slots and decoded lazily.

use super::context::Context;
use super::meta::{Accepts, SlotSpec, ToolMeta};
use crate::error::{Error, ErrorKind, Result};
use crate::image::Image;
use crate::io::{self, Header};

/// An input file: bytes plus an optional name (the name never decides the format).
#[derive(Debug, Clone)]
pub struct InputFile {
    /// File content (cheap to clone; a `Vec<u8>` converts without copying).
    pub data: bytes::Bytes,
    /// Original file name, if known.
    pub name: Option<String>,
}

impl InputFile {
    /// An input from bytes and an optional name.
    pub fn new(data: impl Into<bytes::Bytes>, name: Option<String>) -> Self {
        Self {
            data: data.into(),
            name,
        }
    }
}

/// One input of a tool run: an encoded file (decoded lazily, so a tool can shrink on load)
/// or an image already in memory (e.g. pixels handed over by a binding).
#[derive(Debug, Clone)]
pub enum Input {
    /// Encoded bytes.
    File(InputFile),
    /// Decoded pixels.
    Image(Image),
}

impl From<InputFile> for Input {
    fn from(f: InputFile) -> Self {
        Self::File(f)
    }
}

impl From<Image> for Input {
    fn from(i: Image) -> Self {
        Self::Image(i)
    }
}

enum Entry {
    Encoded(InputFile),
    Decoded(Image),
    Taken,
}

impl From<Input> for Entry {
    fn from(i: Input) -> Self {
        match i {
            Input::File(f) => Entry::Encoded(f),
            Input::Image(img) => Entry::Decoded(img),
        }
    }
}

impl Entry {
    fn name(&self) -> Option<&str> {
        match self {
            Entry::Encoded(f) => f.name.as_deref(),
            Entry::Decoded(img) => img.name.as_deref(),
            Entry::Taken => None,
        }
    }

    fn header(&self) -> Result<Header> {
        match self {
            Entry::Encoded(f) => io::probe(&f.data, f.name.as_deref()),
            Entry::Decoded(img) => Ok(Header {
                format: img.output_format(),
                width: img.width(),
                height: img.height(),
                orientation: 1,
            }),
            Entry::Taken => Err(Error::internal("input already taken")),
        }
    }

    fn take(&mut self, ctx: &Context, min_size: Option<(u32, u32)>) -> Result<Image> {
        match std::mem::replace(self, Entry::Taken) {
            Entry::Encoded(f) => ctx.decode(&f.data, f.name.as_deref(), min_size),
            Entry::Decoded(img) => Ok(img),
            Entry::Taken => Err(Error::internal("input already taken")),
        }
    }
}

/// Inputs sorted into a tool's slots: file parts named after a named slot go there, every
/// other part fills the positional slot in order.
#[derive(Debug, Default)]
pub struct SlotInputs {
    /// The positional inputs, in order.
    pub positional: Vec<Input>,
    /// `(slot name, input)` for the named slots.
    pub named: Vec<(String, Input)>,
}

impl SlotInputs {
    /// Sort `(part name, input)` pairs into `meta`'s slots. Counts are checked when the tool
    /// runs ([`check_slots`]), so this never fails.
    pub fn assign(meta: &ToolMeta, parts: impl IntoIterator<Item = (String, Input)>) -> Self {
        let mut out = Self::default();
        for (part, input) in parts {
            if meta.named_slots().any(|s| s.name == part) {
                out.named.push((part, input));
            } else {
                out.positional.push(input);
            }
        }
        out
    }

    /// Only positional inputs.
    pub fn positional(inputs: impl IntoIterator<Item = Input>) -> Self {
        Self {
            positional: inputs.into_iter().collect(),
            named: Vec::new(),
        }
    }
}

/// Why inputs do not fit a tool's slots; front ends turn it into their own wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// A required named slot got no file.
    #[error("Missing required file part \"{slot}\"")]
    MissingNamed {
        /// The slot's part name.
        slot: &'static str,
    },
    /// The positional slot got fewer files than it needs.
    #[error("{tool} takes {want}, got {got}")]
    TooFew {
        /// Tool id.
        tool: &'static str,
        /// What it takes, in words.
        want: String,
        /// How many it got.
        got: usize,
    },
    /// A slot got more files than it takes.
    #[error("{tool} takes {want}, got {got}")]
    TooMany {
        /// Tool id.
        tool: &'static str,
        /// The slot.
        slot: &'static str,
        /// What it takes, in words.
        want: String,
        /// How many it got.
        got: usize,
    },
    /// A file was given to a tool that takes none, or to a slot that does not exist.
    #[error("{tool} takes no input file \"{part}\"")]
    Unexpected {
        /// Tool id.
        tool: &'static str,
        /// The part.
        part: String,
    },
    /// A file of a format the slot does not accept.
    #[error("\"{slot}\" accepts only {accepted}")]
    WrongFormat {
        /// The slot.
        slot: &'static str,
        /// The formats it accepts, in words.
        accepted: String,
    },
}

impl From<SlotError> for Error {
    fn from(e: SlotError) -> Self {
        let kind = match e {
            SlotError::WrongFormat { .. } => ErrorKind::UnsupportedFormat,
            _ => ErrorKind::InvalidInput,
        };
        Error::new(kind, e.to_string())
    }
}

fn want(slot: &SlotSpec) -> String {
    let noun = match slot.accepts {
        Accepts::AnyFile => "file",
        _ => "image",
    };
    match (slot.min, slot.max) {
        (0, Some(0)) => format!("no input {noun}"),
        (a, Some(b)) if a == b && a == 1 => format!("exactly one {noun}"),
        (a, Some(b)) if a == b => format!("exactly {a} {noun}s"),
        (0, Some(b)) => format!("at most {b} {noun}s"),
        (a, Some(b)) => format!("{a} to {b} {noun}s"),
        (a, None) => format!("at least {a} {noun}{}", if a == 1 { "" } else { "s" }),
    }
}

/// What slot checking needs to know of one input: its format, when it can be told.
type Seen = Option<crate::format::ImageFormat>;

fn seen_input(i: &Input) -> Seen {
    match i {
        Input::File(f) => io::detect(&f.data, f.name.as_deref()).ok(),
        Input::Image(img) => img.source_format,
    }
}

fn seen_entry(e: &Entry) -> Seen {
    match e {
        Entry::Encoded(f) => io::detect(&f.data, f.name.as_deref()).ok(),
        Entry::Decoded(img) => img.source_format,
        Entry::Taken => None,
    }
}

impl SlotInputs {
    /// Check these inputs against `meta`'s slots before any work starts (counts, required
    /// named parts, accepted formats).
    pub fn check(&self, meta: &'static ToolMeta) -> std::result::Result<(), SlotError> {
        check_seen(
            meta,
            self.positional.iter().map(seen_input).collect(),
            self.named
                .iter()
                .map(|(n, i)| (n.as_str(), seen_input(i)))
                .collect(),
        )
    }
}

/// Check that inputs fit `meta`'s slots: counts, required named parts, accepted formats.
pub fn check_slots(
    meta: &'static ToolMeta,
    inputs: &Inputs<'_>,
) -> std::result::Result<(), SlotError> {
    check_seen(
        meta,
        inputs.positional.iter().map(seen_entry).collect(),
        inputs
            .named
            .iter()
            .map(|(n, e)| (n.as_str(), seen_entry(e)))
            .collect(),
    )
}

fn check_seen(
    meta: &'static ToolMeta,
    positional: Vec<Seen>,
    named: Vec<(&str, Seen)>,
) -> std::result::Result<(), SlotError> {
    let n = positional.len();
    match meta.positional() {
        None if n > 0 => {
            return Err(SlotError::TooMany {
                tool: meta.id,
                slot: "file",
                want: "no input image".into(),
                got: n,
            });
        }
        None => {}
        Some(slot) if n < slot.min as usize => {
            return Err(SlotError::TooFew {
                tool: meta.id,
                want: want(slot),
                got: n,
            });
        }
        Some(slot) if !slot.admits(n) => {
            return Err(SlotError::TooMany {
                tool: meta.id,
                slot: slot.name,
                want: want(slot),
                got: n,
            });
        }
        Some(slot) => check_formats(slot, &positional)?,
    }
    for slot in meta.named_slots() {
        let given: Vec<Seen> = named
            .iter()
            .filter(|(name, _)| *name == slot.name)
            .map(|(_, f)| *f)
            .collect();
        if given.len() < slot.min as usize {
            return Err(SlotError::MissingNamed { slot: slot.name });
        }
        if !slot.admits(given.len()) {
            return Err(SlotError::TooMany {
                tool: meta.id,
                slot: slot.name,
                want: format!("{} \"{}\"", want(slot), slot.name),
                got: given.len(),
            });
        }
        check_formats(slot, &given)?;
    }
    if let Some((part, _)) = named
        .iter()
        .find(|(name, _)| !meta.named_slots().any(|s| s.name == *name))
    {
        return Err(SlotError::Unexpected {
            tool: meta.id,
            part: part.to_string(),
        });
    }
    Ok(())
}

fn check_formats(slot: &'static SlotSpec, seen: &[Seen]) -> std::result::Result<(), SlotError> {
    let Accepts::Formats(allowed) = slot.accepts else {
        return Ok(());
    };
    if seen
        .iter()
        .any(|f| !f.is_some_and(|f| allowed.contains(&f)))
    {
        let accepted: Vec<&str> = allowed.iter().map(|f| f.extension()).collect();
        return Err(SlotError::WrongFormat {
            slot: slot.name,
            accepted: accepted.join(", "),
        });
    }
    Ok(())
}

/// The inputs of one tool run. Images are decoded on first use (once), so a tool can
/// read the header first and ask for a smaller decode.
pub struct Inputs<'c> {
    ctx: &'c Context,
    positional: Vec<Entry>,
    named: Vec<(String, Entry)>,
}

impl<'c> Inputs<'c> {
    /// Positional inputs from files and/or decoded images; files are decoded lazily.
    pub fn new(ctx: &'c Context, inputs: impl IntoIterator<Item = Input>) -> Self {
        Self::from_slots(ctx, SlotInputs::positional(inputs))
    }

    /// Inputs already sorted into slots.
    pub fn from_slots(ctx: &'c Context, slots: SlotInputs) -> Self {
        Self {
            ctx,
            positional: slots.positional.into_iter().map(Entry::from).collect(),
            named: slots
                .named
                .into_iter()
                .map(|(n, i)| (n, Entry::from(i)))
                .collect(),
        }
    }

    /// Positional inputs from files, decoded lazily.
    pub fn from_files(ctx: &'c Context, files: Vec<InputFile>) -> Self {
        Self::new(ctx, files.into_iter().map(Input::File))
    }

    /// The run context.
    pub fn ctx(&self) -> &'c Context {
        self.ctx
    }

    /// Number of positional inputs.
    pub fn len(&self) -> usize {
        self.positional.len()
    }

    /// True when there are no positional inputs.
    pub fn is_empty(&self) -> bool {
        self.positional.is_empty()
    }

    fn entry(&mut self, i: usize) -> Result<&mut Entry> {
        self.positional
            .get_mut(i)
            .ok_or_else(|| Error::invalid_input(format!("input {} is missing", i + 1)))
    }

    fn named_entry(&mut self, slot: &str) -> Result<&mut Entry> {
        self.named
            .iter_mut()
            .find(|(n, _)| n == slot)
            .map(|(_, e)| e)
            .ok_or_else(|| {
                SlotError::MissingNamed {
                    slot: leak_free(slot),
                }
                .into()
            })
    }

    /// Name of positional input `i`, if known.
    pub fn name(&self, i: usize) -> Option<&str> {
        self.positional.get(i)?.name()
    }

    /// Header facts of positional input `i` (size after EXIF orientation via
    /// [`Header::oriented_size`]), without decoding.
    pub fn header(&self, i: usize) -> Result<Header> {
        self.positional
            .get(i)
            .ok_or_else(|| Error::invalid_input(format!("input {} is missing", i + 1)))?
            .header()
    }

    /// The raw file of positional input `i`, when it has not been decoded yet.
    pub fn file(&self, i: usize) -> Option<&InputFile> {
        match self.positional.get(i)? {
            Entry::Encoded(f) => Some(f),
            _ => None,
        }
    }

    /// Take positional input `i` as a decoded image (decoding it at full size if needed).
    pub fn image(&mut self, i: usize) -> Result<Image> {
        self.image_at_least(i, None)
    }

    /// Take positional input `i`, decoded at no less than `min_size` (oriented). JPEGs may
    /// then be decoded at 1/2, 1/4 or 1/8 scale in the DCT domain.
    pub fn image_at_least(&mut self, i: usize, min_size: Option<(u32, u32)>) -> Result<Image> {
        let ctx = self.ctx;
        self.entry(i)?.take(ctx, min_size)
    }

    /// Take every positional input as decoded images.
    pub fn all_images(&mut self) -> Result<Vec<Image>> {
        (0..self.len()).map(|i| self.image(i)).collect()
    }

    /// Whether a file was given for the named slot `slot`.
    pub fn has_named(&self, slot: &str) -> bool {
        self.named.iter().any(|(n, _)| n == slot)
    }

    /// The raw file given for the named slot `slot`, when not decoded yet.
    pub fn named_file(&self, slot: &str) -> Option<&InputFile> {
        match self.named.iter().find(|(n, _)| n == slot)? {
            (_, Entry::Encoded(f)) => Some(f),
            _ => None,
        }
    }

    /// Header facts of the named slot's file, without decoding.
    pub fn named_header(&self, slot: &str) -> Result<Header> {
        match self.named.iter().find(|(n, _)| n == slot) {
            Some((_, e)) => e.header(),
            None => Err(SlotError::MissingNamed {
                slot: leak_free(slot),
            }
            .into()),
        }
    }

    /// Take the named slot's file as a decoded image.
    pub fn named_image(&mut self, slot: &str) -> Result<Image> {
        let ctx = self.ctx;
        self.named_entry(slot)?.take(ctx, None)
    }

    /// Name of the named slot's file, if known.
    pub fn named_name(&self, slot: &str) -> Option<&str> {
        self.named.iter().find(|(n, _)| n == slot)?.1.name()
    }
}

/// Slot names in errors come from the tool's static metadata; for a name that is not one
/// (a tool asking for a slot it never declared) the error says so without leaking memory.
fn leak_free(slot: &str) -> &'static str {
    crate::registry::tools()
        .flat_map(|t| t.meta().slots.iter())
        .find(|s| s.name == slot)
        .map(|s| s.name)
        .unwrap_or("(undeclared slot)")
}
