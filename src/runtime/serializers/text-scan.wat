;; The WebAssembly routines behind plain-text.ts: finding the bytes a text format escapes,
;; 16 at a time, escaping them and unescaping simple escapes. `npm run wasm` assembles this file into
;; text-scan.generated.ts (scripts/assemble-wasm.ts); a test checks the two agree.
;;
;; The caller lays out the memory (plain-text.ts): escape tables, then the input, which it
;; pads with 16 spaces, then room for the output.
;;
;; Each routine reads its input 16 bytes at a time and flags, one bit a byte (the same
;; i8x16.bitmask expression in each: V8 in Node 20 does not inline calls between WebAssembly
;; functions, and a call a block cost ~1 µs per 10 KiB), the bytes that are the quote or a
;; backslash, or whose value minus 0x20 (wrapping) is above span: below 0x20, or above
;; 0x20 + span.
(module
  (memory (export "memory") 5)

  ;; The index of the first flagged byte in [p, end), else end. Reads whole 16-byte blocks
  ;; from p: the 16 bytes from end on must be spaces (never flagged), as for the others.
  (func (export "scan")
    (param $p i32) (param $end i32) (param $quote i32) (param $span i32) (result i32)
    (local $mask i32) (local $block v128) (local $quotes v128) (local $backslashes v128)
    (local $spans v128)
    (local.set $quotes (i8x16.splat (local.get $quote)))
    (local.set $backslashes (i8x16.splat (i32.const 0x5c)))
    (local.set $spans (i8x16.splat (local.get $span)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $block (v128.load align=1 (local.get $p)))
        (local.set $mask
          (i8x16.bitmask
            (v128.or
              (v128.or
                (i8x16.gt_u
                  (i8x16.sub
                    (local.get $block)
                    (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20
                                      0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                  (local.get $spans))
                (i8x16.eq (local.get $block) (local.get $quotes)))
              (i8x16.eq (local.get $block) (local.get $backslashes)))))
        (if (local.get $mask)
          (then (return (i32.add (local.get $p) (i32.ctz (local.get $mask))))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (local.get $end))

  ;; How many bytes [p, end) take escaped. Each flagged byte becomes its entry in the table:
  ;; 8 bytes at table + 8 * byte, its text's length and then its text. -1 when a flagged
  ;; byte's entry is empty (the format has no escape for it).
  (func (export "escapedSize")
    (param $p i32) (param $end i32) (param $quote i32) (param $span i32) (param $table i32)
    (result i32)
    (local $size i32) (local $mask i32) (local $length i32) (local $block v128)
    (local $quotes v128) (local $backslashes v128) (local $spans v128)
    (local.set $quotes (i8x16.splat (local.get $quote)))
    (local.set $backslashes (i8x16.splat (i32.const 0x5c)))
    (local.set $spans (i8x16.splat (local.get $span)))
    (local.set $size (i32.sub (local.get $end) (local.get $p)))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $block (v128.load align=1 (local.get $p)))
        (local.set $mask
          (i8x16.bitmask
            (v128.or
              (v128.or
                (i8x16.gt_u
                  (i8x16.sub
                    (local.get $block)
                    (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20
                                      0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                  (local.get $spans))
                (i8x16.eq (local.get $block) (local.get $quotes)))
              (i8x16.eq (local.get $block) (local.get $backslashes)))))
        (if (local.get $mask)
          (then
            (loop $bits
              (local.set $length
                (i32.load8_u
                  (i32.add (local.get $table)
                    (i32.shl
                      (i32.load8_u (i32.add (local.get $p) (i32.ctz (local.get $mask))))
                      (i32.const 3)))))
              (if (i32.eqz (local.get $length)) (then (return (i32.const -1))))
              (local.set $size
                (i32.add (local.get $size) (i32.sub (local.get $length) (i32.const 1))))
              (local.set $mask (i32.and (local.get $mask) (i32.sub (local.get $mask) (i32.const 1))))
              (br_if $bits (local.get $mask)))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $blocks)))
    (local.get $size))

  ;; [p, end) escaped as escapedSize counts, written from out on: a block with nothing
  ;; flagged copied whole, the others byte by byte, each flagged byte replaced by its text.
  ;; Returns where the output ends, or -1 as escapedSize. Writes up to 15 bytes past that end.
  (func (export "escape")
    (param $p i32) (param $end i32) (param $quote i32) (param $span i32) (param $table i32)
    (param $out i32) (result i32)
    (local $block v128) (local $mask i32) (local $stop i32) (local $byte i32) (local $entry i32)
    (local $length i32) (local $quotes v128) (local $backslashes v128) (local $spans v128)
    (local.set $quotes (i8x16.splat (local.get $quote)))
    (local.set $backslashes (i8x16.splat (i32.const 0x5c)))
    (local.set $spans (i8x16.splat (local.get $span)))
    (loop $blocks
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (local.get $out))))
      (local.set $block (v128.load align=1 (local.get $p)))
      (local.set $mask
        (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.gt_u
                (i8x16.sub
                  (local.get $block)
                  (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20
                                    0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                (local.get $spans))
              (i8x16.eq (local.get $block) (local.get $quotes)))
            (i8x16.eq (local.get $block) (local.get $backslashes)))))
      ;; Up to where this block holds input.
      (local.set $stop (i32.add (local.get $p) (i32.const 16)))
      (if (i32.gt_u (local.get $stop) (local.get $end)) (then (local.set $stop (local.get $end))))
      (if (i32.eqz (local.get $mask))
        (then
          (v128.store align=1 (local.get $out) (local.get $block))
          (local.set $out (i32.add (local.get $out) (i32.sub (local.get $stop) (local.get $p))))
          (local.set $p (local.get $stop))
          (br $blocks)))
      (loop $bytes
        (local.set $byte (i32.load8_u (local.get $p)))
        (if (i32.and (local.get $mask) (i32.const 1))
          (then
            (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $byte) (i32.const 3))))
            (local.set $length (i32.load8_u (local.get $entry)))
            (if (i32.eqz (local.get $length)) (then (return (i32.const -1))))
            (i64.store align=1 (local.get $out)
              (i64.load align=1 (i32.add (local.get $entry) (i32.const 1))))
            (local.set $out (i32.add (local.get $out) (local.get $length))))
          (else
            (i32.store8 (local.get $out) (local.get $byte))
            (local.set $out (i32.add (local.get $out) (i32.const 1)))))
        (local.set $mask (i32.shr_u (local.get $mask) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $bytes (i32.lt_u (local.get $p) (local.get $stop))))
      (br $blocks))
    (unreachable))

  ;; [p, end) unescaped, written from out on: a block with nothing flagged copied whole,
  ;; else the run before its first flagged byte, which must be a backslash: it and the byte
  ;; after it become the byte the table gives for that byte (256 bytes at table; 0: no such
  ;; escape here). Returns where the output ends; -1 at a flagged byte that is not a
  ;; backslash, a backslash last, or an escape the table lacks. Writes up to 15 bytes past.
  (func (export "unescape")
    (param $p i32) (param $end i32) (param $quote i32) (param $span i32) (param $table i32)
    (param $out i32) (result i32)
    (local $block v128) (local $mask i32) (local $stop i32) (local $next i32) (local $byte i32)
    (local $quotes v128) (local $backslashes v128) (local $spans v128)
    (local.set $quotes (i8x16.splat (local.get $quote)))
    (local.set $backslashes (i8x16.splat (i32.const 0x5c)))
    (local.set $spans (i8x16.splat (local.get $span)))
    (loop $blocks
      (if (i32.ge_u (local.get $p) (local.get $end)) (then (return (local.get $out))))
      (local.set $block (v128.load align=1 (local.get $p)))
      (local.set $mask
        (i8x16.bitmask
          (v128.or
            (v128.or
              (i8x16.gt_u
                (i8x16.sub
                  (local.get $block)
                  (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20
                                    0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20))
                (local.get $spans))
              (i8x16.eq (local.get $block) (local.get $quotes)))
            (i8x16.eq (local.get $block) (local.get $backslashes)))))
      (v128.store align=1 (local.get $out) (local.get $block))
      (if (i32.eqz (local.get $mask))
        (then
          (local.set $stop (i32.add (local.get $p) (i32.const 16)))
          (if (i32.gt_u (local.get $stop) (local.get $end)) (then (local.set $stop (local.get $end))))
          (local.set $out (i32.add (local.get $out) (i32.sub (local.get $stop) (local.get $p))))
          (local.set $p (local.get $stop))
          (br $blocks)))
      (local.set $next (i32.add (local.get $p) (i32.ctz (local.get $mask))))
      (local.set $out (i32.add (local.get $out) (i32.sub (local.get $next) (local.get $p))))
      (if (i32.ne (i32.load8_u (local.get $next)) (i32.const 0x5c)) (then (return (i32.const -1))))
      (if (i32.ge_u (i32.add (local.get $next) (i32.const 1)) (local.get $end))
        (then (return (i32.const -1))))
      (local.set $byte
        (i32.load8_u
          (i32.add (local.get $table) (i32.load8_u (i32.add (local.get $next) (i32.const 1))))))
      (if (i32.eqz (local.get $byte)) (then (return (i32.const -1))))
      (i32.store8 (local.get $out) (local.get $byte))
      (local.set $out (i32.add (local.get $out) (i32.const 1)))
      (local.set $p (i32.add (local.get $next) (i32.const 2)))
      (br $blocks))
    (unreachable)))
