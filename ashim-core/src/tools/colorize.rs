//! `colorize`: not available. No registry package (PyPI, npm, Debian) ships colorization
//! weights (DDColor, DeOldify, Zhang et al. 2016): `deoldify`, `autocolorize`,
//! `colorize-package` and `vsddcolor` carry code only and download at run time, which ashim
//! never does. The tool therefore always answers `model_not_installed` (501) saying so,
//! rather than pretending to colorize.

use crate::error::{Error, ErrorKind, Result};
use crate::tool::{Availability, Category, Inputs, Output, Tool, ToolMeta};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Colorization model names of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ColorizeModel {
    /// DDColor.
    #[default]
    Auto,
    /// DDColor.
    Ddcolor,
    /// Zhang et al. 2016.
    Opencv,
}

/// Settings of [`Colorize`] (validated, so a bad request is still a 400).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(default, rename_all = "camelCase")]
pub struct ColorizeSettings {
    /// Strength 0–1. Default 1.
    #[schemars(range(min = 0, max = 1))]
    pub intensity: f64,
    /// Model. Default auto.
    pub model: ColorizeModel,
}

impl Default for ColorizeSettings {
    fn default() -> Self {
        Self {
            intensity: 1.0,
            model: ColorizeModel::Auto,
        }
    }
}

/// Why colorize is unavailable.
pub const UNAVAILABLE: &str = "No colorization model is available: none of DDColor, DeOldify or \
     the Zhang et al. 2016 colouriser ships in a PyPI, npm or Debian package, and ashim never \
     downloads models at run time";

static META: ToolMeta = ToolMeta {
    id: "colorize",
    name: "Colorize",
    description: "Colorize black-and-white photos (not available: no packaged colorization model).",
    category: Category::Ai,
    ..ToolMeta::ONE_IMAGE
};

/// The `colorize` tool (always unavailable; see the module docs).
pub struct Colorize;

impl Tool for Colorize {
    type Settings = ColorizeSettings;

    fn meta(&self) -> &'static ToolMeta {
        &META
    }

    fn availability(&self) -> Availability {
        Availability::ModelNotInstalled {
            hint: UNAVAILABLE.into(),
        }
    }

    fn run(&self, _: &ColorizeSettings, _: &mut Inputs<'_>) -> Result<Output> {
        Err(Error::new(ErrorKind::ModelNotInstalled, UNAVAILABLE))
    }
}
