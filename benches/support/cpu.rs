//! A criterion measurement of the process's CPU time (user + sys), so that
//! figures do not depend on what else the shared machine is doing.

use std::time::Duration;

use cpu_time::ProcessTime;
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::Throughput;

/// CPU time of every thread of this process (the rayon workers included).
pub(crate) struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = ProcessTime;
    type Value = Duration;

    fn start(&self) -> ProcessTime {
        ProcessTime::now()
    }

    fn end(&self, started: ProcessTime) -> Duration {
        started.elapsed()
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Shows CPU nanoseconds like wall time, and throughput per CPU second.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e-3, "µs cpu")
        } else if typical < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        for v in values.iter_mut() {
            *v *= factor;
        }
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let per_second = match throughput {
            Throughput::Elements(n) => *n as f64 * 1e9 / typical,
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => *n as f64 * 1e9 / typical,
        };
        let (factor, unit) = if per_second >= 1e6 {
            (1e-6, "M/cpu-s")
        } else {
            (1e-3, "k/cpu-s")
        };
        for v in values.iter_mut() {
            let n = match throughput {
                Throughput::Elements(n) => *n as f64,
                Throughput::Bytes(n) | Throughput::BytesDecimal(n) => *n as f64,
            };
            *v = n * 1e9 / *v * factor;
        }
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns cpu"
    }
}
