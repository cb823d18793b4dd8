//! PNG encoding: 8-bit palette indices with their palette (every plot), or any RGB image.

use super::error::RenderError;
use crate::figure::PngCompression;

/// fdeflate encodes runs of zeros and nothing else, and over most of a plot a row repeats
/// the row above it: the Up filter turns the repeats into zeros (half the bytes of no
/// filter, in the same time).
fn configure<W: std::io::Write>(compression: PngCompression, encoder: &mut png::Encoder<W>) {
    let (deflate, filter) = match compression {
        PngCompression::Fast => (png::DeflateCompression::FdeflateUltraFast, png::Filter::Up),
        PngCompression::Balanced => (
            png::DeflateCompression::FdeflateUltraFast,
            png::Filter::Adaptive,
        ),
        PngCompression::High => (png::DeflateCompression::Level(9), png::Filter::Adaptive),
    };
    encoder.set_deflate_compression(deflate);
    encoder.set_filter(filter);
}

/// Any RGB image (the speedup chart) as a PNG appended to `out`: indexed when it has at
/// most 256 colours, else RGB.
pub fn encode_rgb(
    rgb: &[u8],
    width: u32,
    height: u32,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let mut indexed = Vec::new();
    match index_colours(rgb, &mut indexed) {
        Some(palette) => encode(&indexed, (width, height), Some(&palette), compression, out),
        None => encode(rgb, (width, height), None, compression, out),
    }
}

/// 8-bit `pixels`, palette indices when there is a `palette`, else RGB, as a PNG.
pub fn encode(
    pixels: &[u8],
    (width, height): (u32, u32),
    palette: Option<&[u8]>,
    compression: PngCompression,
    out: &mut Vec<u8>,
) -> Result<(), RenderError> {
    let fail = |e: png::EncodingError| RenderError::Encode(e.to_string());
    let mut encoder = png::Encoder::new(out, width, height);
    encoder.set_depth(png::BitDepth::Eight);
    configure(compression, &mut encoder);
    match palette {
        Some(palette) => {
            encoder.set_color(png::ColorType::Indexed);
            encoder.set_palette(palette);
        }
        None => encoder.set_color(png::ColorType::Rgb),
    }
    let mut writer = encoder.write_header().map_err(fail)?;
    writer.write_image_data(pixels).map_err(fail)?;
    writer.finish().map_err(fail)
}

/// Maps every pixel of `rgb` to a palette index in `indexed`; `None` past 256 colours.
/// Runs of one colour are common, so the last colour is checked before a small open-
/// addressing table.
fn index_colours(rgb: &[u8], indexed: &mut Vec<u8>) -> Option<Vec<u8>> {
    const SLOTS: usize = 1024; // 4× the most colours a palette holds: short probes
    let mut keys = [u32::MAX; SLOTS];
    let mut values = [0u8; SLOTS];
    let mut palette: Vec<u8> = Vec::with_capacity(256 * 3);
    indexed.clear();
    indexed.reserve(rgb.len() / 3);
    let (mut last_key, mut last_index) = (u32::MAX, 0u8);
    for p in rgb.chunks_exact(3) {
        let key = u32::from(p[0]) << 16 | u32::from(p[1]) << 8 | u32::from(p[2]);
        if key != last_key {
            let mut slot = (key.wrapping_mul(0x9e37_79b1) >> 22) as usize;
            loop {
                if keys[slot] == key {
                    last_index = values[slot];
                    break;
                }
                if keys[slot] == u32::MAX {
                    let count = palette.len() / 3;
                    if count == 256 {
                        return None;
                    }
                    keys[slot] = key;
                    values[slot] = count as u8;
                    palette.extend_from_slice(p);
                    last_index = count as u8;
                    break;
                }
                slot = (slot + 1) % SLOTS;
            }
            last_key = key;
        }
        indexed.push(last_index);
    }
    Some(palette)
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn decoded_rgb(png_bytes: &[u8]) -> (png::ColorType, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let colour_type = reader.info().color_type;
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (colour_type, buf)
    }

    /// `rgb` (64×8) through `encode_rgb` and back: the colour type chosen, and the pixels.
    fn rgb_round_trip(rgb: &[u8]) -> png::ColorType {
        let mut out = Vec::new();
        encode_rgb(rgb, 64, 8, PngCompression::Fast, &mut out).unwrap();
        let (colour_type, back) = decoded_rgb(&out);
        assert!(back == rgb, "{colour_type:?} changed the pixels");
        colour_type
    }

    #[test]
    fn an_rgb_image_is_indexed_up_to_256_colours_and_rgb_beyond() {
        let few: Vec<u8> = (0..64 * 8)
            .flat_map(|i| [(i % 100) as u8, 7, (i % 2) as u8])
            .collect();
        assert_eq!(rgb_round_trip(&few), png::ColorType::Indexed);
        let many: Vec<u8> = (0..64 * 8u32)
            .flat_map(|i| [i as u8, (i >> 8) as u8, 1])
            .collect();
        assert_eq!(rgb_round_trip(&many), png::ColorType::Rgb);
    }
}
