;; WebAssembly SIMD (f32x4) kernels for the element-wise task-arithmetic loop, DARE's random
;; drop and the model-scope selection histogram. Compiled by generate.ts (wabt) into kernels.generated.ts.
;;
;; Every f32x4 add / sub / mul / div is the correctly rounded IEEE f32 operation, which is
;; what the TypeScript reference gets from a double operation followed by Math.fround (double
;; rounding is exact for one +, −, ×, ÷ of two f32 values). The operations and their order
;; are the reference's (docs/merge.md), so finite results are bit-identical; elementwise.ts
;; sends tiles with a NaN (payloads are not portable) or a NaN under `count` to the TS path.
;;
;; Groups of 4 elements; the caller pads every array to a multiple of 4 with zeros.
;;
;; The masked weighted delta v = f32(w · (δ & keep)), δ = f32(x − b), keep = lo ≤ |δ| ≤ hi
;; or keep-all, is written out in sumMasked and elect (V8 in Node 20 does not inline wasm calls,
;; and the call was a fifth of the TIES merge).
;;
;; Model table (one 80-byte record per model, 16-byte aligned):
;;   +0 v128 weight (splat)   +16 v128 lo   +32 v128 hi (keep lo ≤ |δ| ≤ hi, f32-rounded
;;   inward by the caller)    +48 v128 keep-all mask (all ones: untrimmed, keeps NaN too)
;;   +64 i32 address of the model's f32 tile
(module
  (memory (export "memory") 1)

  ;; acc = Σₜ f32(wₜ · f32(xₜ − b)), model order; no trims (task arithmetic).
  (func (export "sumPlain")
    (param $base i32) (param $tab i32) (param $k i32) (param $groups i32) (param $acc i32)
    (local $off i32) (local $end i32) (local $e i32) (local $tend i32) (local $b v128)
    (local $m v128)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $tend (i32.add (local.get $tab) (i32.mul (local.get $k) (i32.const 80))))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $b (v128.load (i32.add (local.get $base) (local.get $off))))
        (local.set $m (v128.const f32x4 0 0 0 0))
        (local.set $e (local.get $tab))
        (block $models
          (loop $model
            (br_if $models (i32.ge_u (local.get $e) (local.get $tend)))
            (local.set $m
              (f32x4.add (local.get $m)
                (f32x4.mul (v128.load (local.get $e))
                  (f32x4.sub
                    (v128.load (i32.add (i32.load offset=64 (local.get $e)) (local.get $off)))
                    (local.get $b)))))
            (local.set $e (i32.add (local.get $e) (i32.const 80)))
            (br $model)))
        (v128.store (i32.add (local.get $acc) (local.get $off)) (local.get $m))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group))))

  ;; acc = Σₜ f32(wₜ · kept(δₜ)) with each model's keep band (consensus none, with trims).
  (func (export "sumMasked")
    (param $base i32) (param $tab i32) (param $k i32) (param $groups i32) (param $acc i32)
    (local $off i32) (local $end i32) (local $e i32) (local $tend i32) (local $b v128)
    (local $m v128) (local $d v128) (local $abs v128)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $tend (i32.add (local.get $tab) (i32.mul (local.get $k) (i32.const 80))))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $b (v128.load (i32.add (local.get $base) (local.get $off))))
        (local.set $m (v128.const f32x4 0 0 0 0))
        (local.set $e (local.get $tab))
        (block $models
          (loop $model
            (br_if $models (i32.ge_u (local.get $e) (local.get $tend)))
            (local.set $m
              (f32x4.add (local.get $m)
                (f32x4.mul (v128.load (local.get $e))
                  (v128.and
                    (local.tee $d
                      (f32x4.sub
                        (v128.load (i32.add (i32.load offset=64 (local.get $e)) (local.get $off)))
                        (local.get $b)))
                    (v128.or
                      (v128.and
                        (f32x4.ge (local.tee $abs (f32x4.abs (local.get $d)))
                          (v128.load offset=16 (local.get $e)))
                        (f32x4.le (local.get $abs) (v128.load offset=32 (local.get $e))))
                      (v128.load offset=48 (local.get $e)))))))
            (local.set $e (i32.add (local.get $e) (i32.const 80)))
            (br $model)))
        (v128.store (i32.add (local.get $acc) (local.get $off)) (local.get $m))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group))))

  ;; TIES election and disjoint sums. S = Σ v (sum) or Σ sign(v) (count, $count = 1);
  ;; elected = S ≥ 0 ? 1 : −1 ($rule 0, positive) or sign(S), 0 → $maj ($rule 1, majority);
  ;; acc = Σ v where v·elected > 0, div = Σ w there. v of the group goes through $scratch
  ;; (k × 16 bytes). Returns 1 when some v is NaN under `count` (Math.sign(NaN) is NaN: the
  ;; caller recomputes such tiles).
  (func (export "elect")
    (param $base i32) (param $tab i32) (param $k i32) (param $groups i32) (param $acc i32)
    (param $div i32) (param $scratch i32) (param $count i32) (param $rule i32) (param $maj f32)
    (result i32)
    (local $off i32) (local $end i32) (local $e i32) (local $s i32) (local $tend i32)
    (local $b v128) (local $v v128) (local $stat v128) (local $sign v128) (local $bad v128)
    (local $a v128) (local $dv v128) (local $m v128) (local $d v128) (local $abs v128)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $tend (i32.add (local.get $tab) (i32.mul (local.get $k) (i32.const 80))))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $b (v128.load (i32.add (local.get $base) (local.get $off))))
        (local.set $stat (v128.const f32x4 0 0 0 0))
        (local.set $e (local.get $tab))
        (local.set $s (local.get $scratch))
        (block $models
          (loop $model
            (br_if $models (i32.ge_u (local.get $e) (local.get $tend)))
            (local.set $v (f32x4.mul (v128.load (local.get $e))
                  (v128.and
                    (local.tee $d
                      (f32x4.sub
                        (v128.load (i32.add (i32.load offset=64 (local.get $e)) (local.get $off)))
                        (local.get $b)))
                    (v128.or
                      (v128.and
                        (f32x4.ge (local.tee $abs (f32x4.abs (local.get $d)))
                          (v128.load offset=16 (local.get $e)))
                        (f32x4.le (local.get $abs) (v128.load offset=32 (local.get $e))))
                      (v128.load offset=48 (local.get $e))))))
            (v128.store (local.get $s) (local.get $v))
            (if (local.get $count)
              (then
                (local.set $bad
                  (v128.or (local.get $bad) (f32x4.ne (local.get $v) (local.get $v))))
                ;; sign(v) as 1, −1 or +0: (v > 0) − (v < 0)
                (local.set $stat
                  (f32x4.add (local.get $stat)
                    (f32x4.sub
                      (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))
                        (v128.const f32x4 1 1 1 1))
                      (v128.and (f32x4.lt (local.get $v) (v128.const f32x4 0 0 0 0))
                        (v128.const f32x4 1 1 1 1))))))
              (else
                (local.set $stat (f32x4.add (local.get $stat) (local.get $v)))))
            (local.set $e (i32.add (local.get $e) (i32.const 80)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br $model)))
        (if (local.get $rule)
          (then
            (local.set $sign
              (v128.bitselect (v128.const f32x4 1 1 1 1)
                (v128.bitselect (v128.const f32x4 -1 -1 -1 -1) (f32x4.splat (local.get $maj))
                  (f32x4.lt (local.get $stat) (v128.const f32x4 0 0 0 0)))
                (f32x4.gt (local.get $stat) (v128.const f32x4 0 0 0 0)))))
          (else
            (local.set $sign
              (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 -1 -1 -1 -1)
                (f32x4.ge (local.get $stat) (v128.const f32x4 0 0 0 0))))))
        (local.set $a (v128.const f32x4 0 0 0 0))
        (local.set $dv (v128.const f32x4 0 0 0 0))
        (local.set $e (local.get $tab))
        (local.set $s (local.get $scratch))
        (block $models2
          (loop $model2
            (br_if $models2 (i32.ge_u (local.get $e) (local.get $tend)))
            (local.set $v (v128.load (local.get $s)))
            (local.set $m
              (f32x4.gt (f32x4.mul (local.get $v) (local.get $sign)) (v128.const f32x4 0 0 0 0)))
            (local.set $a (f32x4.add (local.get $a) (v128.and (local.get $v) (local.get $m))))
            (local.set $dv
              (f32x4.add (local.get $dv) (v128.and (v128.load (local.get $e)) (local.get $m))))
            (local.set $e (i32.add (local.get $e) (i32.const 80)))
            (local.set $s (i32.add (local.get $s) (i32.const 16)))
            (br $model2)))
        (v128.store (i32.add (local.get $acc) (local.get $off)) (local.get $a))
        (v128.store (i32.add (local.get $div) (local.get $off)) (local.get $dv))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group)))
    (v128.any_true (local.get $bad)))

  ;; out = b + f32(f32(mixed · λ) · scale), mixed = acc (÷ div when $normalize, a |div| ≤
  ;; $tiny dividing by 1; $fixed: div is the scalar $fixedDiv). Returns 2 × (outputs that are
  ;; NaN or ±∞) + (1 if one is NaN): the executor's non-finite count without another pass.
  (func (export "finish")
    (param $base i32) (param $acc i32) (param $div i32) (param $groups i32) (param $out i32)
    (param $normalize i32) (param $fixed i32) (param $fixedDiv f32) (param $lambda f32)
    (param $scale f32) (param $tiny f32) (result i32)
    (local $off i32) (local $end i32) (local $mixed v128) (local $d v128) (local $r v128)
    (local $nan v128) (local $bad v128)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $mixed (v128.load (i32.add (local.get $acc) (local.get $off))))
        (if (local.get $normalize)
          (then
            (local.set $d
              (if (result v128) (local.get $fixed)
                (then (f32x4.splat (local.get $fixedDiv)))
                (else (v128.load (i32.add (local.get $div) (local.get $off))))))
            (local.set $mixed
              (f32x4.div (local.get $mixed)
                (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $d)
                  (f32x4.le (f32x4.abs (local.get $d)) (f32x4.splat (local.get $tiny))))))))
        (local.set $r
          (f32x4.add (v128.load (i32.add (local.get $base) (local.get $off)))
            (f32x4.mul (f32x4.mul (local.get $mixed) (f32x4.splat (local.get $lambda)))
              (f32x4.splat (local.get $scale)))))
        (local.set $nan (v128.or (local.get $nan) (f32x4.ne (local.get $r) (local.get $r))))
        ;; r − r ≠ 0 exactly for NaN and ±∞; a true lane is −1, so subtracting counts it.
        (local.set $bad
          (i32x4.sub (local.get $bad)
            (f32x4.ne (f32x4.sub (local.get $r) (local.get $r)) (v128.const f32x4 0 0 0 0))))
        (v128.store (i32.add (local.get $out) (local.get $off)) (local.get $r))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group)))
    (i32.add
      (i32.shl
        (i32.add
          (i32.add (i32x4.extract_lane 0 (local.get $bad)) (i32x4.extract_lane 1 (local.get $bad)))
          (i32.add (i32x4.extract_lane 2 (local.get $bad)) (i32x4.extract_lane 3 (local.get $bad))))
        (i32.const 1))
      (v128.any_true (local.get $nan))))

  ;; DARE's random drop for one model's tile: k = δ where the element's counter-based
  ;; uniform (random.ts: mix32(key ^ mix32(index)) >>> 8, over 2^24) is below the density,
  ;; i.e. (h >>> 8) < $t24 = ceil(density · 2^24), else +0; δ = f32(x − b); index = $index
  ;; + element. Then the rescale the reference applies, in f64 and rounded once to f32 as a
  ;; Float32Array store does: $mode 0 none, 1 f32(k ÷ $factor) (inverse density), 2
  ;; f32(k × $factor) (a given l1 factor). Writes k to $out (may be $x).
  (func (export "dareDelta")
    (param $x i32) (param $base i32) (param $groups i32) (param $key i32) (param $index i32)
    (param $t24 i32) (param $mode i32) (param $factor f64) (param $out i32)
    (local $off i32) (local $end i32) (local $idx v128) (local $h v128) (local $k v128)
    (local $key4 v128) (local $t4 v128) (local $f v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $idx (i32x4.add (i32x4.splat (local.get $index)) (v128.const i32x4 0 1 2 3)))
    (local.set $key4 (i32x4.splat (local.get $key)))
    (local.set $t4 (i32x4.splat (local.get $t24)))
    (local.set $f (f64x2.splat (local.get $factor)))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        ;; the lanes' DARE keep masks: (mix32(key ^ mix32(index)) >>> 8) < t24 (random.ts)
        (local.set $h (v128.xor (local.get $idx) (i32x4.shr_u (local.get $idx) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x7feb352d 0x7feb352d 0x7feb352d 0x7feb352d)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 15))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x846ca68b 0x846ca68b 0x846ca68b 0x846ca68b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (v128.xor (local.get $h) (local.get $key4)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x7feb352d 0x7feb352d 0x7feb352d 0x7feb352d)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 15))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x846ca68b 0x846ca68b 0x846ca68b 0x846ca68b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $k
          (v128.and
            (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $off)))
              (v128.load (i32.add (local.get $base) (local.get $off))))
            (i32x4.lt_u (i32x4.shr_u (local.get $h) (i32.const 8)) (local.get $t4))))
        (if (local.get $mode)
          (then
            (local.set $lo (f64x2.promote_low_f32x4 (local.get $k)))
            (local.set $hi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k) (local.get $k))))
            (if (i32.eq (local.get $mode) (i32.const 1))
              (then
                (local.set $lo (f64x2.div (local.get $lo) (local.get $f)))
                (local.set $hi (f64x2.div (local.get $hi) (local.get $f))))
              (else
                (local.set $lo (f64x2.mul (local.get $lo) (local.get $f)))
                (local.set $hi (f64x2.mul (local.get $hi) (local.get $f)))))
            (local.set $k
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (f32x4.demote_f64x2_zero (local.get $lo))
                (f32x4.demote_f64x2_zero (local.get $hi))))))
        (v128.store (i32.add (local.get $out) (local.get $off)) (local.get $k))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group))))

  ;; The l1 rescale's sums for one model's tile, continuing the f64 sums at $sums (before,
  ;; after): before += |δ|, after += |k| element by element in order, as sparsify.ts's
  ;; addL1Sums does (the same f64 additions, so the same sums); k as in dareDelta.
  (func (export "dareSums")
    (param $x i32) (param $base i32) (param $groups i32) (param $key i32) (param $index i32)
    (param $t24 i32) (param $sums i32)
    (local $off i32) (local $end i32) (local $idx v128) (local $h v128) (local $k v128)
    (local $key4 v128) (local $t4 v128) (local $d v128) (local $before f64) (local $after f64)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $idx (i32x4.add (i32x4.splat (local.get $index)) (v128.const i32x4 0 1 2 3)))
    (local.set $key4 (i32x4.splat (local.get $key)))
    (local.set $t4 (i32x4.splat (local.get $t24)))
    (local.set $before (f64.load (local.get $sums)))
    (local.set $after (f64.load offset=8 (local.get $sums)))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        ;; the lanes' DARE keep masks: (mix32(key ^ mix32(index)) >>> 8) < t24 (random.ts)
        (local.set $h (v128.xor (local.get $idx) (i32x4.shr_u (local.get $idx) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x7feb352d 0x7feb352d 0x7feb352d 0x7feb352d)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 15))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x846ca68b 0x846ca68b 0x846ca68b 0x846ca68b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (v128.xor (local.get $h) (local.get $key4)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x7feb352d 0x7feb352d 0x7feb352d 0x7feb352d)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 15))))
        (local.set $h (i32x4.mul (local.get $h) (v128.const i32x4 0x846ca68b 0x846ca68b 0x846ca68b 0x846ca68b)))
        (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
        (local.set $k
          (v128.and
            (local.tee $d (f32x4.abs
              (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $off)))
                (v128.load (i32.add (local.get $base) (local.get $off))))))
            (i32x4.lt_u (i32x4.shr_u (local.get $h) (i32.const 8)) (local.get $t4))))
        (local.set $before (f64.add (local.get $before) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $d)))))
        (local.set $before (f64.add (local.get $before) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $d)))))
        (local.set $before (f64.add (local.get $before) (f64.promote_f32 (f32x4.extract_lane 2 (local.get $d)))))
        (local.set $before (f64.add (local.get $before) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $d)))))
        (local.set $after (f64.add (local.get $after) (f64.promote_f32 (f32x4.extract_lane 0 (local.get $k)))))
        (local.set $after (f64.add (local.get $after) (f64.promote_f32 (f32x4.extract_lane 1 (local.get $k)))))
        (local.set $after (f64.add (local.get $after) (f64.promote_f32 (f32x4.extract_lane 2 (local.get $k)))))
        (local.set $after (f64.add (local.get $after) (f64.promote_f32 (f32x4.extract_lane 3 (local.get $k)))))
        (local.set $idx (i32x4.add (local.get $idx) (v128.const i32x4 4 4 4 4)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group)))
    (f64.store (local.get $sums) (local.get $before))
    (f64.store offset=8 (local.get $sums) (local.get $after)))

  ;; DELLA's ranks for one row: rank[i] = number of elements of the row with strictly smaller
  ;; |δ| (ties share the lowest), from the row's n f32 δ at $bits, whose sign bits are cleared
  ;; in place (a non-negative f32 orders like its bits). A stable LSD radix sort of the indices,
  ;; 8 bits a pass (a pass
  ;; whose digit is the same for every element is skipped), between $order and $spare (n
  ;; words each; 256 counts at $counts); then each run of equal bits takes the position of its
  ;; first element. A NaN (bits above +∞) gets rank 0 and sorts last (it counts for nobody),
  ;; as sparsify.ts's rowRanks gives. Ranks go to $ranks (n u32).
  (func (export "rankRow")
    (param $bits i32) (param $n i32) (param $order i32) (param $spare i32) (param $counts i32)
    (param $ranks i32)
    (local $i i32) (local $p i32) (local $shift i32) (local $d i32) (local $c i32)
    (local $start i32) (local $t i32) (local $b i32) (local $prev i32) (local $first i32)
    (block $init_done
      (loop $init
        (br_if $init_done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (local.get $order) (i32.shl (local.get $i) (i32.const 2)))
          (local.get $i))
        (local.set $t (i32.add (local.get $bits) (i32.shl (local.get $i) (i32.const 2))))
        (i32.store (local.get $t) (i32.and (i32.load (local.get $t)) (i32.const 0x7fffffff)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $init)))
    (block $passes_done
      (loop $pass
        (br_if $passes_done (i32.ge_u (local.get $shift) (i32.const 32)))
        (memory.fill (local.get $counts) (i32.const 0) (i32.const 1024))
        (local.set $i (i32.const 0))
        (block $hist_done
          (loop $hist
            (br_if $hist_done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $d (i32.add (local.get $counts)
              (i32.shl
                (i32.and
                  (i32.shr_u (i32.load (i32.add (local.get $bits) (i32.shl (local.get $i) (i32.const 2))))
                    (local.get $shift))
                  (i32.const 255))
                (i32.const 2))))
            (i32.store (local.get $d) (i32.add (i32.load (local.get $d)) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $hist)))
        ;; every element has the first one's digit: nothing to reorder
        (if (i32.ne (local.get $n)
              (i32.load (i32.add (local.get $counts)
                (i32.shl (i32.and (i32.shr_u (i32.load (local.get $bits)) (local.get $shift))
                  (i32.const 255)) (i32.const 2)))))
          (then
            (local.set $start (i32.const 0))
            (local.set $d (i32.const 0))
            (block $prefix_done
              (loop $prefix
                (br_if $prefix_done (i32.ge_u (local.get $d) (i32.const 256)))
                (local.set $t (i32.add (local.get $counts) (i32.shl (local.get $d) (i32.const 2))))
                (local.set $c (i32.load (local.get $t)))
                (i32.store (local.get $t) (local.get $start))
                (local.set $start (i32.add (local.get $start) (local.get $c)))
                (local.set $d (i32.add (local.get $d) (i32.const 1)))
                (br $prefix)))
            (local.set $p (i32.const 0))
            (block $scatter_done
              (loop $scatter
                (br_if $scatter_done (i32.ge_u (local.get $p) (local.get $n)))
                (local.set $i (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))))
                (local.set $t (i32.add (local.get $counts)
                  (i32.shl
                    (i32.and
                      (i32.shr_u (i32.load (i32.add (local.get $bits) (i32.shl (local.get $i) (i32.const 2))))
                        (local.get $shift))
                      (i32.const 255))
                    (i32.const 2))))
                (local.set $c (i32.load (local.get $t)))
                (i32.store (i32.add (local.get $spare) (i32.shl (local.get $c) (i32.const 2))) (local.get $i))
                (i32.store (local.get $t) (i32.add (local.get $c) (i32.const 1)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $scatter)))
            (local.set $t (local.get $order))
            (local.set $order (local.get $spare))
            (local.set $spare (local.get $t))))
        (local.set $shift (i32.add (local.get $shift) (i32.const 8)))
        (br $pass)))
    (local.set $prev (i32.const -1))
    (local.set $p (i32.const 0))
    (block $ranks_done
      (loop $rank
        (br_if $ranks_done (i32.ge_u (local.get $p) (local.get $n)))
        (local.set $i (i32.load (i32.add (local.get $order) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $b (i32.load (i32.add (local.get $bits) (i32.shl (local.get $i) (i32.const 2)))))
        (if (i32.ne (local.get $b) (local.get $prev))
          (then (local.set $first (local.get $p)) (local.set $prev (local.get $b))))
        (i32.store (i32.add (local.get $ranks) (i32.shl (local.get $i) (i32.const 2)))
          (select (i32.const 0) (local.get $first)
            (i32.gt_u (local.get $b) (i32.const 0x7f800000))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $rank))))

  ;; Pass 1 of the model-scope radix select for one model: δ = f32(x − b), a = bits(|δ|),
  ;; hist[a >> 16] += 1 (u32 bins), and every a whose bin is in [lo, lo + span] appended to
  ;; $kept (branch-free: always stored, the count advances only in band). Returns the count.
  ;;
  ;; Four elements a group; lane j counts into the 65 536-bin row at hist + j·$stride bytes
  ;; (the caller sums them; $stride 0: one row). Neighbouring elements often share a bin,
  ;; and with one row each increment waited for the previous one's store (the loop ran at
  ;; ≈ 3.8 ns an element); four independent rows break that chain. The tail (n mod 4)
  ;; counts into row 0.
  (func (export "histogram")
    (param $base i32) (param $x i32) (param $n i32) (param $hist i32) (param $stride i32)
    (param $lo i32) (param $span i32) (param $kept i32) (result i32)
    (local $i i32) (local $end i32) (local $end4 i32) (local $a i32) (local $bin i32)
    (local $h i32) (local $count i32) (local $v v128) (local $bins v128) (local $out v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $groups_done
      (loop $group
        (br_if $groups_done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $v
          (v128.and
            (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $i)))
              (v128.load (i32.add (local.get $base) (local.get $i))))
            (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
        (local.set $bins (i32x4.shr_u (local.get $v) (i32.const 16)))
        ;; all ones in the lanes outside [lo, lo + span]
        (local.set $out
          (i32x4.gt_u (i32x4.sub (local.get $bins) (i32x4.splat (local.get $lo)))
            (i32x4.splat (local.get $span))))
        (local.set $h (i32.add (local.get $hist)
          (i32.shl (i32x4.extract_lane 0 (local.get $bins)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $h (i32.add (i32.add (local.get $hist) (local.get $stride))
          (i32.shl (i32x4.extract_lane 1 (local.get $bins)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $h (i32.add (i32.add (local.get $hist) (i32.shl (local.get $stride) (i32.const 1)))
          (i32.shl (i32x4.extract_lane 2 (local.get $bins)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (local.set $h (i32.add (i32.add (local.get $hist) (i32.mul (local.get $stride) (i32.const 3)))
          (i32.shl (i32x4.extract_lane 3 (local.get $bins)) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        ;; kept: every lane stored, the count advanced by 1 + out (0 or −1) per lane
        (i32.store (i32.add (local.get $kept) (i32.shl (local.get $count) (i32.const 2)))
          (i32x4.extract_lane 0 (local.get $v)))
        (local.set $count (i32.add (local.get $count)
          (i32.add (i32.const 1) (i32x4.extract_lane 0 (local.get $out)))))
        (i32.store (i32.add (local.get $kept) (i32.shl (local.get $count) (i32.const 2)))
          (i32x4.extract_lane 1 (local.get $v)))
        (local.set $count (i32.add (local.get $count)
          (i32.add (i32.const 1) (i32x4.extract_lane 1 (local.get $out)))))
        (i32.store (i32.add (local.get $kept) (i32.shl (local.get $count) (i32.const 2)))
          (i32x4.extract_lane 2 (local.get $v)))
        (local.set $count (i32.add (local.get $count)
          (i32.add (i32.const 1) (i32x4.extract_lane 2 (local.get $out)))))
        (i32.store (i32.add (local.get $kept) (i32.shl (local.get $count) (i32.const 2)))
          (i32x4.extract_lane 3 (local.get $v)))
        (local.set $count (i32.add (local.get $count)
          (i32.add (i32.const 1) (i32x4.extract_lane 3 (local.get $out)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $group)))
    (block $done
      (loop $element
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $a
          (i32.and
            (i32.reinterpret_f32
              (f32.sub (f32.load (i32.add (local.get $x) (local.get $i)))
                (f32.load (i32.add (local.get $base) (local.get $i)))))
            (i32.const 0x7fffffff)))
        (local.set $bin (i32.shr_u (local.get $a) (i32.const 16)))
        (local.set $h (i32.add (local.get $hist) (i32.shl (local.get $bin) (i32.const 2))))
        (i32.store (local.get $h) (i32.add (i32.load (local.get $h)) (i32.const 1)))
        (i32.store (i32.add (local.get $kept) (i32.shl (local.get $count) (i32.const 2)))
          (local.get $a))
        (local.set $count
          (i32.add (local.get $count)
            (i32.le_u (i32.sub (local.get $bin) (local.get $lo)) (local.get $span))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $element)))
    (local.get $count))
)
