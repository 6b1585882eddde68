//! A minimal PNG encoder for the generated images (`playback::picture`): 8-bit indexed colour,
//! no filtering, and the zlib stream made of stored (uncompressed) deflate blocks, so it needs no
//! compression crate. Images are larger than a real encoder's (one byte per pixel), which is fine
//! for placeholders served over loopback.
//!
//! A leaf: it knows nothing of the emulator.

/// The eight bytes every PNG starts with.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// The largest payload of one stored deflate block.
const MAX_STORED: usize = 65_535;

/// An image whose pixels are indices into a palette of at most 256 colours.
pub struct Indexed<'a> {
    pub width: u32,
    pub height: u32,
    pub palette: &'a [[u8; 3]],
    /// `width × height` indices, row by row.
    pub pixels: &'a [u8],
}

/// Encodes `image` as a PNG file.
pub fn encode(image: &Indexed<'_>) -> Vec<u8> {
    let (width, height) = (image.width as usize, image.height as usize);
    assert_eq!(image.pixels.len(), width * height, "one index per pixel");
    assert!((1..=256).contains(&image.palette.len()), "1 to 256 colours");
    // Each row is preceded by its filter type, 0 (none).
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in image.pixels.chunks(width.max(1)) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&image.width.to_be_bytes());
    ihdr.extend_from_slice(&image.height.to_be_bytes());
    // Bit depth 8, colour type 3 (indexed), compression 0, filter 0, no interlace.
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    let plte: Vec<u8> = image.palette.iter().flatten().copied().collect();

    let mut out = SIGNATURE.to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"PLTE", &plte);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Length, type, data, CRC of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc32(&[kind.as_slice(), data]).to_be_bytes());
}

/// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let blocks = data.len().div_ceil(MAX_STORED).max(1);
    let mut out = Vec::with_capacity(data.len() + blocks * 5 + 6);
    // CM 8 (deflate), 32 KiB window; FCHECK makes the header a multiple of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut rest = data;
    loop {
        let (block, after) = rest.split_at(rest.len().min(MAX_STORED));
        let last = after.is_empty();
        out.push(u8::from(last)); // BFINAL, BTYPE 00
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
        if last {
            break;
        }
        rest = after;
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

/// CRC-32 (ISO 3309, as PNG uses it) of the concatenated `parts`.
pub fn crc32(parts: &[&[u8]]) -> u32 {
    let mut crc = !0u32;
    for byte in parts.iter().copied().flatten() {
        crc = CRC_TABLE[((crc ^ u32::from(*byte)) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

/// Adler-32 (RFC 1950 §8).
pub fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65_521;
    // The largest run of bytes whose sums cannot overflow a u32 before the modulo.
    const RUN: usize = 5_552;
    let (mut a, mut b) = (1u32, 0u32);
    for run in data.chunks(RUN) {
        for byte in run {
            a += u32::from(*byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a PNG into its chunks, checking each one's CRC.
    fn chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        assert_eq!(png[..8], SIGNATURE);
        let mut rest = &png[8..];
        let mut found = Vec::new();
        while !rest.is_empty() {
            let len = u32::from_be_bytes(rest[..4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = rest[4..8].try_into().unwrap();
            let data = &rest[8..8 + len];
            let crc = u32::from_be_bytes(rest[8 + len..12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(&[&kind, data]), "CRC of {kind:?}");
            found.push((kind, data.to_vec()));
            rest = &rest[12 + len..];
        }
        found
    }

    /// Reads a zlib stream of stored blocks back, checking the header and the Adler-32.
    fn inflate_stored(z: &[u8]) -> Vec<u8> {
        assert_eq!((u16::from(z[0]) << 8 | u16::from(z[1])) % 31, 0, "FCHECK");
        let mut at = 2;
        let mut out = Vec::new();
        loop {
            let header = z[at];
            assert_eq!(header & 0b110, 0, "stored block");
            let len = u16::from_le_bytes([z[at + 1], z[at + 2]]);
            let nlen = u16::from_le_bytes([z[at + 3], z[at + 4]]);
            assert_eq!(len, !nlen);
            out.extend_from_slice(&z[at + 5..at + 5 + usize::from(len)]);
            at += 5 + usize::from(len);
            if header & 1 == 1 {
                break;
            }
        }
        assert_eq!(z[at..], adler32(&out).to_be_bytes(), "Adler-32");
        out
    }

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xcbf4_3926);
        assert_eq!(
            crc32(&[b"IEND"]),
            0xae42_6082,
            "the CRC every PNG ends with"
        );
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        let long = vec![0xffu8; 100_000];
        let naive = long.iter().fold((1u64, 0u64), |(a, b), x| {
            let a = (a + u64::from(*x)) % 65_521;
            (a, (b + a) % 65_521)
        });
        assert_eq!(adler32(&long), ((naive.1 << 16) | naive.0) as u32);
    }

    #[test]
    fn an_image_reads_back_chunk_by_chunk() {
        // Wide enough that the pixel data needs several stored blocks.
        let (width, height) = (300u32, 500u32);
        let pixels: Vec<u8> = (0..width * height).map(|i| (i % 7) as u8).collect();
        let palette: Vec<[u8; 3]> = (0..7u8).map(|i| [i, i * 2, i * 3]).collect();
        let png = encode(&Indexed {
            width,
            height,
            palette: &palette,
            pixels: &pixels,
        });

        let found = chunks(&png);
        let kinds: Vec<&[u8; 4]> = found.iter().map(|(k, _)| k).collect();
        assert_eq!(kinds, [b"IHDR", b"PLTE", b"IDAT", b"IEND"]);
        let ihdr = &found[0].1;
        assert_eq!(ihdr[..4], width.to_be_bytes());
        assert_eq!(ihdr[4..8], height.to_be_bytes());
        assert_eq!(ihdr[8..], [8, 3, 0, 0, 0]);
        assert_eq!(found[1].1.len(), 7 * 3);
        let raw = inflate_stored(&found[2].1);
        assert_eq!(raw.len(), (width as usize + 1) * height as usize);
        let row = width as usize + 1;
        for (y, line) in raw.chunks(row).enumerate() {
            assert_eq!(line[0], 0, "filter byte of row {y}");
            let start = y * width as usize;
            assert_eq!(line[1..], pixels[start..start + width as usize]);
        }
    }
}
