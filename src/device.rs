//! Where the model runs (`--device`) and how many CPU threads libtorch uses (`--threads`).

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
/// Where the model runs (`--device`).
pub enum DeviceChoice {
    /// CUDA when libtorch sees a GPU, else CPU.
    #[default]
    Auto,
    /// The CPU, always available.
    Cpu,
    /// The first CUDA GPU; an error (not a fallback) when there is none.
    Cuda,
}

/// Turns the user's choice into a libtorch device. `cuda` without a GPU is an error that
/// says how to get one, never a panic deep inside libtorch.
pub fn select(choice: DeviceChoice) -> Result<tch::Device> {
    let cuda = tch::Cuda::is_available();
    match choice {
        DeviceChoice::Cpu => Ok(tch::Device::Cpu),
        DeviceChoice::Auto if cuda => Ok(tch::Device::Cuda(0)),
        DeviceChoice::Auto => Ok(tch::Device::Cpu),
        DeviceChoice::Cuda if cuda => Ok(tch::Device::Cuda(0)),
        DeviceChoice::Cuda => Err(Error::NoCuda(
            "libtorch sees no CUDA device (this build links the CPU libraries only, or the machine has no GPU)"
                .into(),
        )),
    }
}

/// Sets libtorch's intra-op thread pool. `None` leaves libtorch's default (one per core).
pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::Input("--threads must be at least 1".into()));
        }
        tch::set_num_threads(n as i32);
    }
    Ok(())
}

/// The thread count libtorch will use, for reports.
pub fn threads() -> usize {
    tch::get_num_threads().max(1) as usize
}

/// "cpu" or "cuda:N", for reports and logs.
pub fn describe(device: tch::Device) -> String {
    match device {
        tch::Device::Cpu => "cpu".into(),
        tch::Device::Cuda(i) => format!("cuda:{i}"),
        other => format!("{other:?}").to_lowercase(),
    }
}
