//! An Arrow IPC stream read message by message: each message's declared
//! metadata and body lengths are checked against the batch budget before a
//! byte of it is allocated, the stream must end with its end-of-stream
//! marker (a stream that just stops is truncated), and after the marker
//! comes the end of the input (anything else is refused).

use std::io::{self, Read};

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;

/// What to do about a message over the budget.
pub(crate) const MORE: &str = "write it in smaller batches (pyarrow: `max_chunksize`) or raise `--max-record-bytes` (the budget is `--chunk` × `--max-record-bytes`, at most 64 MiB, at least one record)";

/// The batches of a stream; errors name the byte offset.
pub(crate) struct IpcStream<R> {
    input: R,
    /// Bytes read so far.
    offset: u64,
    budget: usize,
    decoder: StreamDecoder,
    done: bool,
}

impl<R: Read> IpcStream<R> {
    pub(crate) fn new(input: R, budget: usize) -> Self {
        IpcStream {
            input,
            offset: 0,
            budget,
            decoder: StreamDecoder::new(),
            done: false,
        }
    }

    /// Fills `buf` as far as the input goes; the bytes read.
    fn fill(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
            match self.input.read(rest) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }

    /// Fills `buf` whole, or says the stream is truncated at `start`.
    fn exact(&mut self, buf: &mut [u8], start: u64, what: &str) -> Result<(), String> {
        let n = self
            .fill(buf)
            .map_err(|e| format!("at byte {}: {e}", self.offset))?;
        if n < buf.len() {
            return Err(format!(
                "at byte {}: the stream ends inside {what} that starts at byte {start}: it is truncated; send it again whole",
                self.offset
            ));
        }
        Ok(())
    }

    /// The next message as one buffer (prefix, metadata, body), `None` at
    /// the end-of-stream marker followed by the end of input.
    fn message(&mut self) -> Result<Option<Vec<u8>>, String> {
        let start = self.offset;
        let mut word = [0u8; 4];
        let n = self
            .fill(&mut word)
            .map_err(|e| format!("at byte {start}: {e}"))?;
        if n == 0 {
            return Err(format!(
                "at byte {start}: the stream ends without its end-of-stream marker: it is truncated (did its writer stop early?); send it again whole"
            ));
        }
        if n < 4 {
            return Err(format!(
                "at byte {}: the stream ends inside the message that starts at byte {start}: it is truncated; send it again whole",
                self.offset
            ));
        }
        if word == [0xff; 4] {
            self.exact(&mut word, start, "the message")?;
        }
        let len = i32::from_le_bytes(word);
        if len == 0 {
            let mut more = [0u8; 1];
            let after = self.offset;
            if self
                .fill(&mut more)
                .map_err(|e| format!("at byte {after}: {e}"))?
                > 0
            {
                return Err(format!(
                    "at byte {after}: data follows the end-of-stream marker (two streams joined with `cat`?): pass each stream as its own input"
                ));
            }
            return Ok(None);
        }
        let len = usize::try_from(len).map_err(|_| {
            format!(
                "at byte {start}: a message declares a negative length ({len}): a damaged stream?"
            )
        })?;
        if len > self.budget {
            return Err(format!(
                "at byte {start}: a message declares {len} bytes of metadata, over the batch budget of {} bytes: {MORE}",
                self.budget
            ));
        }
        let mut bytes = Vec::new();
        bytes
            .try_reserve_exact(8 + len)
            .map_err(|e| e.to_string())?;
        bytes.extend_from_slice(&[0xff; 4]);
        bytes.extend_from_slice(&word);
        bytes.resize(8 + len, 0);
        self.exact(bytes.get_mut(8..).unwrap_or_default(), start, "the message")?;
        let body = arrow_ipc::root_as_message(bytes.get(8..).unwrap_or_default())
            .map_err(|e| format!("at byte {start}: not an Arrow IPC message ({e})"))?
            .bodyLength();
        let total = usize::try_from(body)
            .ok()
            .and_then(|b| b.checked_add(len))
            .filter(|t| *t <= self.budget)
            .ok_or_else(|| {
                format!(
                    "at byte {start}: a message declares a body of {body} bytes, over the batch budget of {} bytes: {MORE}",
                    self.budget
                )
            })?;
        bytes
            .try_reserve_exact(total - len)
            .map_err(|e| e.to_string())?;
        bytes.resize(8 + total, 0);
        self.exact(
            bytes.get_mut(8 + len..).unwrap_or_default(),
            start,
            "the message",
        )?;
        Ok(Some(bytes))
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>, String> {
        loop {
            let start = self.offset;
            let Some(bytes) = self.message()? else {
                return Ok(None);
            };
            let mut buffer = Buffer::from_vec(bytes);
            let batch = self
                .decoder
                .decode(&mut buffer)
                .map_err(|e| format!("at byte {start}: {e}"))?;
            if batch.is_some() {
                return Ok(batch);
            }
        }
    }
}

impl<R: Read> Iterator for IpcStream<R> {
    type Item = Result<RecordBatch, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_batch();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.transpose()
    }
}
