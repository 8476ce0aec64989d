"""Independent float64 singular values of bench/svd.ts's matrix (issue #21's SVD accuracy row).

usage: /usr/bin/python3 scripts/reference/svd_bench_reference.py a.f32 rows cols s.f64
  a.f32  the matrix `npm run bench -- --only svd --shape <rows>x<cols> --dump a.f32` wrote
         (raw little-endian f32, row major)
  s.f64  written: numpy's (LAPACK gesdd) singular values in float64, descending, raw LE f64;
         `--reference s.f64` compares each device's σ with them.
"""
import sys
import time

import numpy as np


def main():
    path, rows, cols, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    a = np.fromfile(path, dtype='<f4')
    if a.size != rows * cols:
        sys.exit(f'{path}: {a.size} values, expected {rows} x {cols}')
    t0 = time.time()
    s = np.linalg.svd(a.reshape(rows, cols).astype(np.float64), compute_uv=False)
    s.astype('<f8').tofile(out)
    print(f'{rows} x {cols}: sigma_1 {s[0]:.6e}, sigma_min {s[-1]:.6e}, {time.time() - t0:.1f} s')


if __name__ == '__main__':
    main()
