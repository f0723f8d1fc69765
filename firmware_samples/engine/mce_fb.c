/*
 * Bounds-checked zero-copy flatbuffer reader (our own, from the FlatBuffers binary format):
 *
 *   - the buffer starts with a uint32 offset to the root table;
 *   - a table starts with an int32 "soffset"; its vtable lives at (table - soffset);
 *   - a vtable is uint16 [vtable bytes, table bytes, field0 offset, field1 offset, ...],
 *     where a field offset of 0 (or a field beyond the vtable) means "absent, use default";
 *   - offset-typed fields (tables, vectors, strings) hold a uint32 relative to the field;
 *   - a vector is a uint32 element count followed by the elements.
 *
 * All values are little endian and read byte by byte, so unaligned or hostile offsets can
 * never fault, and every range is checked against the buffer size before it is touched.
 */

#include "mce_internal.h"

static uint32_t rd_u16(const uint8_t *q)
{
    return (uint32_t)q[0] | ((uint32_t)q[1] << 8);
}

float mce_rd_f32(const uint8_t *q)
{
    union {
        uint32_t u;
        float f;
    } v; /* type punning through a union (C11): no library memcpy call */
    v.u = mce_rd_u32(q);
    return v.f;
}

/* True when [pos, pos+len) lies inside the buffer. */
static int in_range(const mce_fb *r, uint32_t pos, uint32_t len)
{
    return pos <= r->n && len <= r->n - pos;
}

uint32_t mce_fb_u32_at(mce_fb *r, uint32_t pos)
{
    if (!in_range(r, pos, 4)) {
        r->bad = 1;
        return 0;
    }
    return mce_rd_u32(r->p + pos);
}

uint32_t mce_fb_field(mce_fb *r, uint32_t table, uint32_t field, uint32_t size)
{
    int64_t vt;
    uint32_t vt_size, tbl_size, slot, off;
    if (table == 0 || !in_range(r, table, 4)) {
        r->bad = 1;
        return 0;
    }
    vt = (int64_t)table - (int64_t)mce_rd_i32(r->p + table);
    if (vt < 0 || vt > (int64_t)r->n || !in_range(r, (uint32_t)vt, 4)) {
        r->bad = 1;
        return 0;
    }
    vt_size = rd_u16(r->p + vt);
    tbl_size = rd_u16(r->p + vt + 2);
    if (vt_size < 4 || (vt_size & 1u) || !in_range(r, (uint32_t)vt, vt_size) || tbl_size < 4 ||
        !in_range(r, table, tbl_size)) {
        r->bad = 1;
        return 0;
    }
    slot = 4u + 2u * field;
    if (slot + 2u > vt_size)
        return 0; /* field newer than the writer's schema: absent */
    off = rd_u16(r->p + vt + slot);
    if (off == 0)
        return 0;
    if (off < 4 || off + size > tbl_size) {
        r->bad = 1;
        return 0;
    }
    return table + off;
}

uint32_t mce_fb_u8(mce_fb *r, uint32_t table, uint32_t field, uint32_t dflt)
{
    uint32_t pos = mce_fb_field(r, table, field, 1);
    return pos ? r->p[pos] : dflt;
}

int32_t mce_fb_i32(mce_fb *r, uint32_t table, uint32_t field, int32_t dflt)
{
    uint32_t pos = mce_fb_field(r, table, field, 4);
    return pos ? mce_rd_i32(r->p + pos) : dflt;
}

uint32_t mce_fb_u32(mce_fb *r, uint32_t table, uint32_t field, uint32_t dflt)
{
    uint32_t pos = mce_fb_field(r, table, field, 4);
    return pos ? mce_rd_u32(r->p + pos) : dflt;
}

uint64_t mce_fb_u64(mce_fb *r, uint32_t table, uint32_t field, uint64_t dflt)
{
    uint32_t pos = mce_fb_field(r, table, field, 8);
    if (!pos)
        return dflt;
    return (uint64_t)mce_rd_u32(r->p + pos) | ((uint64_t)mce_rd_u32(r->p + pos + 4) << 32);
}

float mce_fb_f32(mce_fb *r, uint32_t table, uint32_t field, float dflt)
{
    uint32_t pos = mce_fb_field(r, table, field, 4);
    return pos ? mce_rd_f32(r->p + pos) : dflt;
}

uint32_t mce_fb_ref(mce_fb *r, uint32_t table, uint32_t field)
{
    uint32_t pos = mce_fb_field(r, table, field, 4);
    uint32_t rel;
    if (!pos)
        return 0;
    rel = mce_rd_u32(r->p + pos);
    if (rel == 0 || rel > r->n - pos || !in_range(r, pos + rel, 4)) {
        r->bad = 1;
        return 0;
    }
    return pos + rel;
}

uint32_t mce_fb_vec(mce_fb *r, uint32_t table, uint32_t field, uint32_t elem_size,
                    uint32_t *count)
{
    uint32_t start = mce_fb_ref(r, table, field);
    uint32_t cnt;
    *count = 0;
    if (!start)
        return 0;
    cnt = mce_rd_u32(r->p + start); /* ref() checked start+4 <= n */
    if ((uint64_t)cnt * elem_size > (uint64_t)(r->n - start - 4u)) {
        r->bad = 1;
        return 0;
    }
    *count = cnt;
    return start + 4u;
}

uint32_t mce_fb_vec_table(mce_fb *r, uint32_t start, uint32_t count, uint32_t i)
{
    uint32_t pos, rel;
    if (i >= count || !start || !in_range(r, start + 4u * i, 4)) {
        r->bad = 1;
        return 0;
    }
    pos = start + 4u * i;
    rel = mce_rd_u32(r->p + pos);
    if (rel == 0 || rel > r->n - pos || !in_range(r, pos + rel, 4)) {
        r->bad = 1;
        return 0;
    }
    return pos + rel;
}
