import { gaussian } from '../src/merge/cpu/dense';
import { exactSvd } from '../src/merge/cpu/svd';
const a = gaussian(768, 3072, 1);
const t = performance.now();
exactSvd({ ...a, data: Float32Array.from(a.data) });
console.log('exactSvd 768x3072', ((performance.now() - t) / 1000).toFixed(1), 's');
