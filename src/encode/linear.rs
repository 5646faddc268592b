//! A linear layer in fp32 or int8. int8 is dynamic quantization with libtorch's integer
//! matrix product (`_int_mm`, oneDNN's VNNI kernels on x86, in the PyPI wheel already):
//! weights are quantized once, one scale per output row; each input row (token) is
//! quantized at every call on its own scale; int32 sums are scaled back to fp32 and the
//! bias added. Per-row and per-token scales, not the per-tensor ones of PyTorch's
//! `quantize_dynamic`, because one large row or token otherwise flattens all others to a
//! few levels. Transformer activations also carry a few outlier channels that every token
//! shares; `Linear::smoothed_int8` moves them into the weights (SmoothQuant, Xiao et al. 2023) from
//! channel maxima observed on calibration text, which keeps the vectors at cosine ≥ 0.99
//! to fp32's (docs/BENCHMARKS.md, Embeddings).

use tch::{Kind, Tensor};

use crate::error::{Error, Result};

/// How the encoder's linear layers compute (`--precision`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats, as the weights ship.
    #[default]
    Fp32,
    /// 8-bit integer weights and activations (CPU only); see docs/BENCHMARKS.md for the
    /// speed and the measured loss.
    Int8,
}

impl Precision {
    /// Refuses int8 off the CPU: the integer product's fast kernels (and the measured
    /// loss) are the CPU's; a GPU is better served by fp32 there.
    pub fn check(self, device: tch::Device) -> Result<()> {
        if self == Precision::Int8 && device != tch::Device::Cpu {
            return Err(Error::Input(
                "--precision int8 runs on the CPU only (libtorch's oneDNN integer kernels); \
                 add --device cpu, or keep fp32 on the GPU"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// One `y = x Wᵀ + b`.
pub enum Linear {
    /// fp32 weight `[out, in]` and bias `[out]`.
    Float {
        /// Weight.
        weight: Tensor,
        /// Bias.
        bias: Tensor,
    },
    /// An int8 weight with its scales.
    Int8(Int8Weight),
}

/// A weight quantized to int8, one scale per output row.
pub struct Int8Weight {
    quantized: Tensor,
    row_scale: Tensor,
    bias: Tensor,
    /// 1 / the smoothing factor per input channel, applied to the input before it is
    /// quantized; the weight's columns carry the factor.
    inv_smooth: Option<Tensor>,
}

/// How far smoothing moves activation range into the weights: SmoothQuant's α. 0.5 is the
/// paper's default, chosen before measuring; on the 1,148 dev sentences it also gave the
/// best worst-case cosine of 0.3 / 0.5 / 0.7 / 0.8 for both shipped models (docs/METHODS.md).
const SMOOTH_ALPHA: f64 = 0.5;

impl Linear {
    /// A layer from fp32 weights, quantized when `precision` says so.
    pub fn new(weight: Tensor, bias: Tensor, precision: Precision) -> Self {
        match precision {
            Precision::Fp32 => Linear::Float { weight, bias },
            Precision::Int8 => Linear::Int8(Int8Weight::new(&weight, bias, None)),
        }
    }

    /// This layer in int8, with its input channels smoothed by `input_amax` (each input
    /// channel's largest magnitude on calibration text). An int8 layer stays as it is.
    pub fn smoothed_int8(self, input_amax: &Tensor) -> Linear {
        match self {
            Linear::Int8(_) => self,
            Linear::Float { weight, bias } => {
                let w_amax = weight.abs().amax([0i64].as_slice(), false).clamp_min(1e-5);
                let smooth = (input_amax.clamp_min(1e-5).pow_tensor_scalar(SMOOTH_ALPHA)
                    / w_amax.pow_tensor_scalar(1.0 - SMOOTH_ALPHA))
                .clamp_min(1e-5);
                let w = weight * smooth.unsqueeze(0);
                Linear::Int8(Int8Weight::new(
                    &w,
                    bias,
                    Some(smooth.reciprocal().contiguous()),
                ))
            }
        }
    }

    /// Applies the layer over the last dimension of `x` (fp32, any leading dimensions).
    pub fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::Float { weight, bias } => x.linear(weight, Some(bias)),
            Linear::Int8(w) => w.forward(x),
        }
    }
}

impl Int8Weight {
    /// Each output row on its own symmetric scale ([-127, 127]), stored transposed
    /// (`[in, out]`) as the integer product wants it.
    fn new(weight: &Tensor, bias: Tensor, inv_smooth: Option<Tensor>) -> Self {
        let w = weight.to_kind(Kind::Float);
        let row_scale = w.abs().amax([1i64].as_slice(), false).clamp_min(1e-12) / 127.0;
        let quantized = (&w / row_scale.unsqueeze(1))
            .round()
            .clamp(-127.0, 127.0)
            .to_kind(Kind::Int8)
            .tr()
            .contiguous();
        Int8Weight {
            quantized,
            row_scale: row_scale.contiguous(),
            bias: bias.to_kind(Kind::Float).contiguous(),
            inv_smooth,
        }
    }

    /// Quantizes each input row (token) on its own scale, multiplies in int8 with int32
    /// sums (oneDNN's VNNI kernels on x86), and scales back with both scales.
    fn forward(&self, x: &Tensor) -> Tensor {
        let shape = x.size();
        let k = shape[shape.len() - 1];
        // Only out-of-place ops below: `x` (which `reshape` may share) is never written.
        let x2 = match &self.inv_smooth {
            Some(inv) => x.reshape([-1, k]) * inv,
            None => x.reshape([-1, k]),
        };
        // Each row's largest magnitude from its maximum and minimum: two reads of `x2`,
        // where `abs()` would write a copy of it first.
        let dim = [1i64];
        let amax = x2
            .amax(dim.as_slice(), true)
            .maximum(&x2.amin(dim.as_slice(), true).neg())
            .clamp_min(1e-12);
        // x · 127 / amax lies in [-127, 127], so rounding cannot leave int8's range and no
        // clamp is needed. The elementwise passes below write into tensors made here.
        let mut xq = &x2 * (amax.reciprocal() * 127.0);
        let xq = xq.round_().to_kind(Kind::Int8);
        let mut y = xq.internal_int_mm(&self.quantized).to_kind(Kind::Float);
        let _ = y.g_mul_(&(amax / 127.0));
        let _ = y.g_mul_(&self.row_scale);
        let _ = y.g_add_(&self.bias);
        let mut out = shape;
        *out.last_mut().expect("an input has a last dimension") = self.row_scale.size()[0];
        y.view(out.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int8_matches_fp32_within_the_quantization_step() {
        tch::manual_seed(7);
        let w = Tensor::randn([64, 96], (Kind::Float, tch::Device::Cpu)) * 0.05;
        let b = Tensor::randn([64], (Kind::Float, tch::Device::Cpu)) * 0.1;
        let x = Tensor::randn([5, 7, 96], (Kind::Float, tch::Device::Cpu));
        let exact = Linear::new(w.shallow_clone(), b.shallow_clone(), Precision::Fp32).forward(&x);
        let q = Linear::new(w, b, Precision::Int8).forward(&x);
        assert_eq!(q.size(), vec![5, 7, 64]);
        let err = (&q - &exact).abs().max().double_value(&[]);
        let scale = exact.abs().max().double_value(&[]);
        // 8 bits on both sides: a few percent of the output's range, and never exact.
        assert!(err > 0.0, "int8 path gave fp32's output: not quantized");
        assert!(err < 0.05 * scale, "error {err} against range {scale}");
        let cos = Tensor::cosine_similarity(&q.flatten(0, -1), &exact.flatten(0, -1), 0, 1e-8)
            .double_value(&[]);
        assert!(cos > 0.999, "cosine {cos}");
    }

    /// One input channel 40× larger than the rest, as transformer activations have: plain
    /// per-token int8 loses the small channels, smoothing keeps them.
    #[test]
    fn smoothing_recovers_the_channels_an_outlier_would_flatten() {
        tch::manual_seed(11);
        let opts = (Kind::Float, tch::Device::Cpu);
        let w = Tensor::randn([48, 64], opts) * 0.05;
        let b = Tensor::zeros([48], opts);
        let x = Tensor::randn([200, 64], opts);
        let _ = x.narrow(1, 5, 1).g_mul_scalar_(40.0);
        let exact = Linear::new(w.shallow_clone(), b.shallow_clone(), Precision::Fp32);
        let want = exact.forward(&x);
        let err = |y: &Tensor| (y - &want).square().mean(Kind::Float).double_value(&[]);
        let plain = err(&Linear::new(w, b, Precision::Int8).forward(&x));
        let amax = x.abs().amax([0i64].as_slice(), false);
        let smooth = err(&exact.smoothed_int8(&amax).forward(&x));
        assert!(
            smooth < plain / 2.0,
            "smoothed error {smooth} vs plain {plain}"
        );
    }

    #[test]
    fn int8_is_refused_off_the_cpu() {
        assert!(Precision::Int8.check(tch::Device::Cuda(0)).is_err());
        assert!(Precision::Int8.check(tch::Device::Cpu).is_ok());
        assert!(Precision::Fp32.check(tch::Device::Cuda(0)).is_ok());
    }
}
