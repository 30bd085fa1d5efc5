//! CSV rows under a header of dotted field names.

use std::io::{self, BufRead};
use std::sync::Arc;

use super::{Framer, Payload, Place, Unit};

pub(super) struct CsvRows {
    reader: csv::Reader<Box<dyn BufRead + Send>>,
    source: Arc<str>,
    header: Option<Vec<String>>,
    row: u64,
    record: csv::ByteRecord,
}

impl CsvRows {
    pub(super) fn new(input: Box<dyn BufRead + Send>, source: Arc<str>) -> Self {
        let reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        CsvRows {
            reader,
            source,
            header: None,
            row: 0,
            record: csv::ByteRecord::new(),
        }
    }
}

impl Framer for CsvRows {
    fn next_unit(&mut self) -> io::Result<Option<Unit>> {
        loop {
            let line = self.reader.position().line();
            let more = match self.reader.read_byte_record(&mut self.record) {
                Ok(more) => more,
                Err(e) => {
                    self.row += 1;
                    let place = Place {
                        line,
                        row: Some(self.row),
                    };
                    return Ok(Some(Unit {
                        source: self.source.clone(),
                        place,
                        payload: Payload::Bad(format!("invalid CSV: {e}")),
                    }));
                }
            };
            if !more {
                return Ok(None);
            }
            let line = self.record.position().map_or(line, |p| p.line());
            let cells: Result<Vec<String>, usize> = self
                .record
                .iter()
                .enumerate()
                .map(|(i, c)| String::from_utf8(c.to_vec()).map_err(|_| i + 1))
                .collect();
            if self.header.is_none() {
                match cells {
                    Ok(mut h) => {
                        if let Some(first) = h.first_mut() {
                            *first = first.trim_start_matches('\u{feff}').to_string();
                        }
                        self.header = Some(h);
                        continue;
                    }
                    Err(col) => {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("CSV header column {col} is not UTF-8"),
                        ))
                    }
                }
            }
            self.row += 1;
            let place = Place {
                line,
                row: Some(self.row),
            };
            let payload = match cells {
                Ok(c) => Payload::Csv(c),
                Err(col) => Payload::Bad(format!("invalid UTF-8 in column {col}")),
            };
            return Ok(Some(Unit {
                source: self.source.clone(),
                place,
                payload,
            }));
        }
    }

    fn csv_header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }
}
