/* mce engine core: the TFLite schema read into the tensor and operator tables (see
 * mce_core.h; schema facts at the top of mce_engine.c). */
#include "mce_core.h"

/* ------------------------------------------------------------------ parsing */

mce_status mce_parse_tensors(mce_ctx *c, uint32_t tensors_vec, uint32_t buffers_vec,
                             uint32_t n_buffers)
{
    mce_engine *e = c->e;
    mce_fb *r = &c->r;
    uint32_t i;
    for (i = 0; i < e->n_tensors; i++) {
        mce_tensor *t = &e->tensors[i];
        uint32_t tt = mce_fb_vec_table(r, tensors_vec, e->n_tensors, i);
        uint32_t nd = 0, shape, buf_index, k, esize;
        uint64_t bytes = 1;
        memset(t, 0, sizeof *t);
        t->first = t->last = -1;
        if (r->bad)
            return mce_fail(c, MCE_ERR_MODEL, "tensor table out of bounds");
        shape = mce_fb_vec(r, tt, 0, 4, &nd);
        if (r->bad)
            return mce_fail(c, MCE_ERR_MODEL, "tensor shape out of bounds");
        if (nd > MCE_MAX_DIMS)
            return mce_fail(c, MCE_ERR_LIMIT, "tensor rank above MCE_MAX_DIMS");
        t->ndim = (uint8_t)nd;
        for (k = 0; k < nd; k++) {
            int32_t dim = mce_rd_i32(r->p + shape + 4u * k);
            if (dim < 0)
                return mce_fail(c, MCE_ERR_SHAPE, "negative (dynamic) tensor dimension");
            t->dims[k] = dim;
            bytes *= (uint64_t)dim;
            if (bytes > 0x7fffffffull)
                return mce_fail(c, MCE_ERR_LIMIT, "tensor larger than 2 GiB");
        }
        t->type = (uint8_t)mce_fb_u8(r, tt, 1, 0);
        esize = mce_type_size(t->type);
        bytes *= esize;
        if (bytes > 0x7fffffffull)
            return mce_fail(c, MCE_ERR_LIMIT, "tensor larger than 2 GiB");
        t->bytes = (uint32_t)bytes;
        buf_index = mce_fb_u32(r, tt, 2, 0);
        if (buf_index != 0 || n_buffers > 0) {
            uint32_t bt, dlen = 0, dpos;
            uint64_t off, size;
            if (buf_index >= n_buffers)
                return mce_fail(c, MCE_ERR_MODEL, "tensor buffer index out of range");
            bt = mce_fb_vec_table(r, buffers_vec, n_buffers, buf_index);
            dpos = mce_fb_vec(r, bt, 0, 1, &dlen);
            off = mce_fb_u64(r, bt, 1, 0);
            size = mce_fb_u64(r, bt, 2, 0);
            if (r->bad)
                return mce_fail(c, MCE_ERR_MODEL, "buffer table out of bounds");
            if (dlen > 0) {
                t->data = (uint8_t *)(uintptr_t)(r->p + dpos);
                t->is_const = 1;
            } else if (off > 1 && size > 0) {
                if (off > r->n || size > r->n - off)
                    return mce_fail(c, MCE_ERR_MODEL, "external buffer outside the model");
                t->data = (uint8_t *)(uintptr_t)(r->p + off);
                dlen = (uint32_t)size;
                t->is_const = 1;
            }
            if (t->is_const && (esize == 0 || dlen < t->bytes))
                return mce_fail(c, MCE_ERR_MODEL, "constant buffer smaller than its tensor");
        }
        t->quant = mce_fb_ref(r, tt, 4);
        if (t->quant) {
            uint32_t ns, nz, sp, zp;
            sp = mce_fb_vec(r, t->quant, 2, 4, &ns);
            zp = mce_fb_vec(r, t->quant, 3, 8, &nz);
            if (r->bad)
                return mce_fail(c, MCE_ERR_MODEL, "quantization table out of bounds");
            if (ns > 0)
                t->scale = mce_rd_f32(r->p + sp);
            if (nz > 0) {
                uint32_t lo = mce_rd_u32(r->p + zp), hi = mce_rd_u32(r->p + zp + 4);
                int64_t z = (int64_t)(((uint64_t)hi << 32) | lo);
                if (z < -32768 || z > 65535)
                    return mce_fail(c, MCE_ERR_QUANT, "zero point out of range");
                t->zero_point = (int32_t)z;
            }
            if (ns == 0)
                t->quant = 0;
        }
        if (r->bad)
            return mce_fail(c, MCE_ERR_MODEL, "tensor fields out of bounds");
    }
    return MCE_OK;
}

mce_status mce_check_index_vec(mce_ctx *c, uint32_t vec, uint32_t n, int allow_missing)
{
    uint32_t k;
    for (k = 0; k < n; k++) {
        int32_t t = mce_rd_i32(c->r.p + vec + 4u * k);
        if (t < -1 || (t == -1 && !allow_missing) || (t >= 0 && (uint32_t)t >= c->e->n_tensors))
            return mce_fail(c, MCE_ERR_MODEL, "tensor index out of range");
    }
    return MCE_OK;
}

mce_status mce_parse_ops(mce_ctx *c, uint32_t ops_vec, uint32_t codes_vec, uint32_t n_codes)
{
    mce_engine *e = c->e;
    mce_fb *r = &c->r;
    uint32_t i;
    mce_status st;
    for (i = 0; i < e->n_ops; i++) {
        mce_op *op = &e->ops[i];
        uint32_t ot = mce_fb_vec_table(r, ops_vec, e->n_ops, i), code_index, ct, opt_type;
        int32_t dep, bi;
        memset(op, 0, sizeof *op);
        c->op_index = (int32_t)i;
        code_index = mce_fb_u32(r, ot, 0, 0);
        if (r->bad || code_index >= n_codes)
            return mce_fail(c, MCE_ERR_MODEL, "bad operator table or opcode index");
        ct = mce_fb_vec_table(r, codes_vec, n_codes, code_index);
        dep = (int32_t)(int8_t)mce_fb_u8(r, ct, 0, 0);
        bi = mce_fb_i32(r, ct, 3, 0);
        op->code = bi > dep ? bi : dep;
        op->in_vec = mce_fb_vec(r, ot, 1, 4, &op->n_in);
        op->out_vec = mce_fb_vec(r, ot, 2, 4, &op->n_out);
        opt_type = mce_fb_u8(r, ot, 3, 0);
        op->options = mce_fb_ref(r, ot, 4);
        if (r->bad)
            return mce_fail(c, MCE_ERR_MODEL, "operator fields out of bounds");
        if ((st = mce_check_index_vec(c, op->in_vec, op->n_in, 1)) ||
            (st = mce_check_index_vec(c, op->out_vec, op->n_out, 0)))
            return st;
        if (op->n_out < 1)
            return mce_fail(c, MCE_ERR_MODEL, "operator without output");
        {
            uint32_t k;
            for (k = 0; k < op->n_out; k++)
                if (e->tensors[mce_op_tensor(e, op->out_vec, op->n_out, k)].is_const)
                    return mce_fail(c, MCE_ERR_MODEL, "operator writes a constant tensor");
        }
        if (op->code == MCE_OP_CUSTOM) {
            uint32_t len = 0, s = mce_fb_vec(r, ct, 1, 1, &len), k;
            char name[40];
            if (r->bad)
                return mce_fail(c, MCE_ERR_MODEL, "custom code string out of bounds");
            for (k = 0; k < len && k < sizeof name - 1; k++) {
                char ch = (char)r->p[s + k];
                name[k] = (ch >= 32 && ch < 127) ? ch : '?';
            }
            name[k] = '\0';
            c->op_index = -1;
            mce_fail(c, MCE_ERR_UNSUPPORTED_OP, "unsupported custom operator ");
            mce_msg_append(e, name);
            mce_msg_append(e, " at operator index ");
            mce_msg_append_int(e, (int32_t)i);
            e->err_op = (int32_t)i;
            return MCE_ERR_UNSUPPORTED_OP;
        }
        if (op->options && opt_type != mce_expected_options(op->code) && mce_expected_options(op->code))
            return mce_fail(c, MCE_ERR_MODEL, "builtin options of the wrong type");
        if (!mce_expected_options(op->code))
            op->options = 0; /* options we never read */
    }
    c->op_index = -1;
    return MCE_OK;
}

