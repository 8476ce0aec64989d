#!/usr/bin/python3
"""Reference for src/data/images: PIL 9.4 decoding + transformers' CLIPImageProcessor steps.

Run with Debian's /usr/bin/python3 (PIL 9.4, numpy 1.24). No transformers here, so its slow
CLIPImageProcessor path is re-stated from its source (image_processing_clip.py,
image_transforms.py), with PIL doing the resize exactly as transformers does:
  image.convert('RGB')                       (do_convert_rgb)
  size: shortest_edge s -> (s, int(s * long / short))   get_resize_output_image_size,
                                                         default_to_square=False
  PIL Image.resize((w, h), resample)         (transformers' resize(): to_pil_image, uint8
                                              stays uint8, reducing_gap None)
  center crop: top = (H - ch) // 2, left = (W - cw) // 2; zero padding with
               ceil((new - orig) / 2) when the crop is larger (current transformers)
  rescale: (uint8 as float64 * rescale_factor) -> float32
  normalize: (x - float32(mean)) / float32(std) in float32
Writes src/data/images/fixtures/preprocess/ (then run `npx prettier --write` on its
manifest.json): the input images, manifest.json, decoded.bin
(PIL's RGB pixels of every image, uint8), resized.bin (PIL's uint8 resize, before the
crop) and expected.bin (float32 LE outputs, HWC).
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '../../src/data/images/fixtures/preprocess')
rng = np.random.RandomState(1234)


def pattern(h, w, c):
    """Smooth gradients + a sharp checker + noise: exercises ringing and clipping."""
    y, x = np.mgrid[0:h, 0:w]
    base = []
    for k in range(c):
        g = 127 + 100 * np.sin(x / (3.0 + k) + y / (5.0 + 2 * k))
        g += np.where(((x // 4) + (y // 3)) % 2 == 0, 60, -60)
        g += rng.randint(-25, 26, size=(h, w))
        base.append(g)
    return np.clip(np.stack(base, -1), 0, 255).astype(np.uint8)


def png_chunk(tag, data):
    return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data))


def write_png_raw(path, width, height, bit_depth, color_type, rows):
    """A minimal PNG writer for what PIL cannot write (16-bit RGB, 2-bit gray)."""
    raw = b''.join(b'\x00' + r for r in rows)
    ihdr = struct.pack('>IIBBBBB', width, height, bit_depth, color_type, 0, 0, 0)
    data = b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', ihdr)
    data += png_chunk(b'IDAT', zlib.compress(raw, 9)) + png_chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(data)


def make_images():
    files = {}
    Image.fromarray(pattern(31, 45, 3), 'RGB').save(f'{OUT}/rgb_land.png')
    files['rgb_land.png'] = 'RGB 45x31'
    Image.fromarray(pattern(40, 19, 3), 'RGB').save(f'{OUT}/rgb_port.png')
    Image.fromarray(pattern(33, 33, 1)[..., 0], 'L').save(f'{OUT}/gray.png')
    Image.fromarray(np.concatenate([pattern(28, 50, 3), pattern(28, 50, 1)], -1), 'RGBA').save(
        f'{OUT}/rgba.png')
    la = Image.fromarray(np.concatenate([pattern(17, 23, 1), pattern(17, 23, 1)], -1), 'LA')
    la.save(f'{OUT}/gray_alpha.png')
    Image.fromarray(pattern(20, 30, 3), 'RGB').quantize(colors=37).save(f'{OUT}/palette.png')
    g16 = (pattern(25, 21, 1)[..., 0].astype(np.uint16) * 4)  # values up to 1020
    Image.fromarray(g16, 'I;16').save(f'{OUT}/gray16.png')
    rgb16 = pattern(18, 26, 3).astype(np.uint16) * 257 + rng.randint(0, 200, size=(18, 26, 3))
    rows = [rgb16[y].astype('>u2').tobytes() for y in range(18)]
    write_png_raw(f'{OUT}/rgb16.png', 26, 18, 16, 2, rows)
    g2 = pattern(13, 11, 1)[..., 0] // 64  # 2-bit samples
    rows = []
    for y in range(13):
        bits = 0
        row = bytearray()
        for x in range(11):
            bits = (bits << 2) | int(g2[y, x])
            if x % 4 == 3:
                row.append(bits)
                bits = 0
        if 11 % 4:
            row.append(bits << (2 * (4 - 11 % 4)))
        rows.append(bytes(row))
    write_png_raw(f'{OUT}/gray2.png', 11, 13, 2, 0, rows)
    Image.fromarray(pattern(36, 40, 3), 'RGB').save(f'{OUT}/photo444.jpg', quality=92,
                                                   subsampling=0)
    Image.fromarray(pattern(36, 40, 3), 'RGB').save(f'{OUT}/photo420.jpg', quality=85)
    Image.fromarray(pattern(21, 27, 1)[..., 0], 'L').save(f'{OUT}/gray.jpg', quality=90)
    Image.fromarray(pattern(27, 25, 3), 'RGB').save(f'{OUT}/progressive.jpg', quality=90,
                                                   progressive=True, subsampling=0)
    Image.fromarray(pattern(50, 60, 3), 'RGB').save(f'{OUT}/small_for_224.png')
    Image.fromarray(pattern(30, 24, 3), 'RGB').save(f'{OUT}/exact.png')
    Image.fromarray(pattern(10, 14, 3), 'RGB').save(f'{OUT}/tiny.png')
    # PIL writes CMYK JPEGs with an Adobe marker (inverted CMYK), which jpeg-js reads.
    Image.fromarray(pattern(19, 22, 3), 'RGB').convert('CMYK').save(f'{OUT}/cmyk.jpg', quality=92)


DEFAULTS = dict(do_resize=True, size={'shortest_edge': 224}, resample=3, do_center_crop=True,
                crop_size={'height': 224, 'width': 224}, do_rescale=True,
                rescale_factor=1 / 255, do_normalize=True,
                image_mean=[0.48145466, 0.4578275, 0.40821073],
                image_std=[0.26862954, 0.26130258, 0.27577711], do_convert_rgb=True)


def full_config(cfg):
    c = dict(DEFAULTS)
    c.update(cfg)
    if isinstance(c['size'], int):
        c['size'] = {'shortest_edge': c['size']}
    if isinstance(c['crop_size'], int):
        c['crop_size'] = {'height': c['crop_size'], 'width': c['crop_size']}
    return c


def output_size(w, h, size):
    if 'shortest_edge' in size:
        s = size['shortest_edge']
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = s, int(s * long / short)
        return (new_short, new_long) if w <= h else (new_long, new_short)  # (w, h)
    return size['width'], size['height']


def center_crop(arr, ch, cw):
    h, w = arr.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    if top >= 0 and left >= 0 and top + ch <= h and left + cw <= w:
        return arr[top:top + ch, left:left + cw]
    nh, nw = max(ch, h), max(cw, w)
    new = np.zeros((nh, nw, 3), arr.dtype)
    tp, lp = -(-(nh - h) // 2), -(-(nw - w) // 2)
    new[tp:tp + h, lp:lp + w] = arr
    top, left = top + tp, left + lp
    return new[max(0, top):min(nh, top + ch), max(0, left):min(nw, left + cw)]


def preprocess(path, cfg):
    c = full_config(cfg)
    img = Image.open(path)
    img = img.convert('RGB')
    resized = None
    if c['do_resize']:
        w, h = output_size(img.width, img.height, c['size'])
        img = img.resize((w, h), resample=c['resample'])
        resized = np.array(img)
    arr = np.array(img)
    if c['do_center_crop']:
        arr = center_crop(arr, c['crop_size']['height'], c['crop_size']['width'])
    x = arr
    if c['do_rescale']:
        x = (x.astype(np.float64) * c['rescale_factor']).astype(np.float32)
    if c['do_normalize']:
        x = x.astype(np.float32)
        x = (x - np.array(c['image_mean'], np.float32)) / np.array(c['image_std'], np.float32)
    return resized, x.astype(np.float32)


CASES = [
    ('rgb_land_bicubic_24', 'rgb_land.png', {'size': {'shortest_edge': 24},
                                             'crop_size': {'height': 24, 'width': 24}}),
    ('rgb_port_upscale_32', 'rgb_port.png', {'size': {'shortest_edge': 32},
                                            'crop_size': {'height': 32, 'width': 32}}),
    ('gray_crop_20x16', 'gray.png', {'size': {'shortest_edge': 24},
                                     'crop_size': {'height': 20, 'width': 16}}),
    ('rgba_bilinear_24', 'rgba.png', {'size': 24, 'crop_size': 24, 'resample': 2}),
    ('gray_alpha_17', 'gray_alpha.png', {'size': {'shortest_edge': 17}, 'crop_size': 17}),
    ('palette_int_sizes', 'palette.png', {'size': 16, 'crop_size': 16}),
    ('gray16_no_crop', 'gray16.png', {'size': {'shortest_edge': 16}, 'do_center_crop': False}),
    ('rgb16_hw_size', 'rgb16.png', {'size': {'height': 20, 'width': 12}, 'crop_size': 12}),
    ('gray2_downscale_7', 'gray2.png', {'size': 7, 'crop_size': 7}),
    ('jpeg444_24', 'photo444.jpg', {'size': 24, 'crop_size': 24}),
    ('exact_no_resize', 'exact.png', {'size': 24, 'crop_size': {'height': 24, 'width': 20}}),
    ('tiny_pad_crop', 'tiny.png', {'do_resize': False, 'crop_size': {'height': 13, 'width': 17}}),
    ('no_rescale_no_normalize', 'rgb_land.png', {'size': 21, 'crop_size': 19, 'do_rescale': False,
                                                  'do_normalize': False}),
    ('default_224', 'small_for_224.png', {}),
]
STRIDE_224 = 5  # the 224 case stores every 5th row and column (fixture size)


def main():
    os.makedirs(OUT, exist_ok=True)
    make_images()
    decoded, resized_bin, expected = bytearray(), bytearray(), bytearray()
    manifest = {'images': [], 'cases': []}
    for name in sorted(f for f in os.listdir(OUT) if f.endswith(('.png', '.jpg'))):
        im = Image.open(f'{OUT}/{name}')
        mode = im.mode
        rgb = np.array(im.convert('RGB'))
        manifest['images'].append({'file': name, 'pilMode': mode, 'width': rgb.shape[1],
                                   'height': rgb.shape[0], 'offset': len(decoded)})
        decoded += rgb.tobytes()
    for name, file, cfg in CASES:
        resized, out = preprocess(f'{OUT}/{file}', cfg)
        case = {'name': name, 'image': file, 'config': cfg, 'height': out.shape[0],
                'width': out.shape[1]}
        if name == 'default_224':
            out = out[::STRIDE_224, ::STRIDE_224]
            case['stride'] = STRIDE_224
        else:
            case['resized'] = None if resized is None else {
                'width': resized.shape[1], 'height': resized.shape[0], 'offset': len(resized_bin)}
            if resized is not None:
                resized_bin += resized.tobytes()
        case['offset'] = len(expected)
        expected += out.astype('<f4').tobytes()
        manifest['cases'].append(case)
    for fname, data in (('decoded.bin', decoded), ('resized.bin', resized_bin),
                        ('expected.bin', expected)):
        with open(f'{OUT}/{fname}', 'wb') as f:
            f.write(data)
    with open(f'{OUT}/manifest.json', 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
