package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.RingBuffer;

/**
 * {@code BPF_MAP_TYPE_RINGBUF} ({@code kernel/bpf/ringbuf.c}) in the kernel's layout: a consumer
 * page ({@code consumer_pos} at 0), a producer page ({@code producer_pos} at 0), then the data
 * pages. A record is an 8-byte header ({@code u32 len} with {@link #BPF_RINGBUF_BUSY_BIT} and
 * {@link #BPF_RINGBUF_DISCARD_BIT}, {@code u32 pg_off}) and its data, rounded up to 8 bytes;
 * positions only grow and index the data modulo its size. The kernel maps the data pages twice in
 * a row so that a record that wraps is contiguous; here the data area is followed by a second
 * copy's worth of memory, and submitting a record that ran past the end copies the overflow to
 * the start, where the consumer reads it.
 */
public final class RingBufMap extends AbstractBpfMap implements RingBuffer {
    public static final int PAGE_SIZE = 4096;
    public static final int BPF_RINGBUF_BUSY_BIT = 1 << 31;
    public static final int BPF_RINGBUF_DISCARD_BIT = 1 << 30;
    public static final int BPF_RINGBUF_HDR_SZ = 8;
    /** {@code RINGBUF_PGOFF}: the consumer page's page number in the kernel's {@code struct bpf_ringbuf}. */
    static final int RINGBUF_PGOFF = 1;
    /** {@code RINGBUF_MAX_RECORD_SZ}: UINT_MAX / 4, the length field minus its busy and discard bits. */
    static final long RINGBUF_MAX_RECORD_SZ = 0xffffffffL / 4;
    /** {@code bpf_ringbuf_submit}/{@code output} flags. */
    public static final long BPF_RB_NO_WAKEUP = 1, BPF_RB_FORCE_WAKEUP = 2;
    /** {@code bpf_ringbuf_query} flags. */
    public static final long BPF_RB_AVAIL_DATA = 0, BPF_RB_RING_SIZE = 1, BPF_RB_CONS_POS = 2, BPF_RB_PROD_POS = 3;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment pages;
    private final long consumerPos;
    private final long producerPos;
    private final MemorySegment data;
    private final long mask;

    RingBufMap(MapSpec spec) throws BpfException {
        super(validate(spec), 0);
        this.pages = allocate(2L * PAGE_SIZE + 2L * spec.maxEntries());
        this.consumerPos = pages.address();
        this.producerPos = pages.address() + PAGE_SIZE;
        this.data = pages.asSlice(2L * PAGE_SIZE);
        this.mask = spec.maxEntries() - 1L;
        registerRegion(data);
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        // ringbuf_map_alloc
        int n = spec.maxEntries();
        if (spec.keySize() != 0 || spec.valueSize() != 0 || n == 0 || Integer.bitCount(n) != 1 || n % PAGE_SIZE != 0) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": ringbuf needs key and value size 0 and max_entries a"
                    + " power of 2 and a multiple of " + PAGE_SIZE + " (got key " + spec.keySize() + ", value " + spec.valueSize()
                    + ", max_entries " + n + ")");
        }
        return spec;
    }

    /** The data area (twice the ring size: see the class comment). */
    public MemorySegment data() { return data; }
    public long consumerPosition() { return (long) LONG.getAcquire(MEM, consumerPos); }
    public long producerPosition() { return (long) LONG.getAcquire(MEM, producerPos); }

    @Override
    protected boolean ownsValueAddress(long address) {
        long d = address - data.address();
        return d >= 0 && d < data.byteSize();
    }

    /** {@code bpf_ringbuf_reserve}: the data address of a new busy record, or 0. */
    public long reserve(long size, long flags) {
        if (flags != 0) return 0;
        if (size < 0 || size > RINGBUF_MAX_RECORD_SZ) return 0;
        long len = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7L;
        if (len > mask + 1) return 0;
        synchronized (this) {
            long cons = consumerPosition();
            long prod = (long) LONG.get(MEM, producerPos);
            long next = prod + len;
            if (next - cons > mask) return 0; // would overwrite unconsumed data
            long hdr = data.address() + (prod & mask);
            // pg_off: pages from the kernel's struct bpf_ringbuf, whose consumer page is its second (RINGBUF_PGOFF)
            MEM.set(ValueLayout.JAVA_INT, hdr + 4, (int) ((hdr - pages.address()) / PAGE_SIZE) + RINGBUF_PGOFF);
            INT.setRelease(MEM, hdr, (int) size | BPF_RINGBUF_BUSY_BIT);
            LONG.setRelease(MEM, producerPos, next);
            return hdr + BPF_RINGBUF_HDR_SZ;
        }
    }

    /**
     * {@code bpf_ringbuf_submit}/{@code discard}: clears the busy bit (sets the discard bit).
     *
     * @return false if {@code sample} is not a busy record of this ring
     */
    public boolean commit(long sample, boolean discard) {
        long hdr = sample - BPF_RINGBUF_HDR_SZ;
        if (!ownsValueAddress(hdr) || ((hdr - data.address()) & 7) != 0 || hdr - data.address() > mask) return false;
        int len = (int) INT.getAcquire(MEM, hdr);
        if ((len & BPF_RINGBUF_BUSY_BIT) == 0) return false;
        int size = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
        long end = hdr - data.address() + BPF_RINGBUF_HDR_SZ + size;
        if (end > mask + 1) {
            // the part past the ring's end belongs at its start (the kernel's second mapping)
            MemorySegment.copy(data, mask + 1, data, 0, end - (mask + 1));
        }
        int newLen = len ^ BPF_RINGBUF_BUSY_BIT;
        if (discard) newLen |= BPF_RINGBUF_DISCARD_BIT;
        INT.getAndSet(MEM, hdr, newLen);
        return true;
    }

    /** {@code bpf_ringbuf_output}: 0, -EAGAIN when there is no room, -EINVAL for bad flags. */
    public long output(MemorySegment sample, long flags) {
        if ((flags & ~(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) != 0) return -Errno.EINVAL.value();
        long rec = reserve(sample.byteSize(), 0);
        if (rec == 0) return -Errno.EAGAIN.value();
        MemorySegment.copy(sample, 0, MEM, rec, sample.byteSize());
        commit(rec, false);
        return 0;
    }

    /** {@code bpf_ringbuf_query}. */
    public long query(long flags) {
        return switch ((int) flags) {
            case (int) BPF_RB_AVAIL_DATA -> producerPosition() - consumerPosition();
            case (int) BPF_RB_RING_SIZE -> mask + 1;
            case (int) BPF_RB_CONS_POS -> consumerPosition();
            case (int) BPF_RB_PROD_POS -> producerPosition();
            default -> 0;
        };
    }

    @Override
    public long availableData() {
        return producerPosition() - consumerPosition();
    }

    /** libbpf's {@code ringbuf_process_ring}. */
    @Override
    public synchronized int consume(Consumer<ByteBuffer> sample) {
        int n = 0;
        long cons = consumerPosition();
        for (;;) {
            long prod = producerPosition();
            if (cons >= prod) break;
            long hdr = data.address() + (cons & mask);
            int len = (int) INT.getAcquire(MEM, hdr);
            if ((len & BPF_RINGBUF_BUSY_BIT) != 0) break;
            int size = len & ~BPF_RINGBUF_DISCARD_BIT;
            long rec = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7L;
            if ((len & BPF_RINGBUF_DISCARD_BIT) == 0) {
                byte[] copy = new byte[size];
                long off = (cons & mask) + BPF_RINGBUF_HDR_SZ;
                for (int i = 0; i < size; i++) copy[i] = data.get(ValueLayout.JAVA_BYTE, (off + i) & mask);
                sample.accept(ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder()).asReadOnlyBuffer());
                n++;
            }
            cons += rec;
            LONG.setRelease(MEM, consumerPos, cons);
        }
        return n;
    }

    @Override public long lookupElem(MemorySegment key) { return 0; }
    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.ENOTSUPP.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.ENOTSUPP.value(); }
    @Override public MemorySegment grantRegion(long valueAddress) { return data; }

    @Override protected byte[] lookupHost(byte[] key) throws BpfException { throw error(Errno.ENOTSUPP, "ringbuf has no elements to look up"); }
    @Override protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException { throw error(Errno.ENOTSUPP, "ringbuf has no elements to update"); }
    @Override protected void deleteHost(byte[] key) throws BpfException { throw error(Errno.ENOTSUPP, "ringbuf has no elements to delete"); }
    @Override protected byte[] nextKeyHost(byte[] key) throws BpfException { throw error(Errno.ENOTSUPP, "ringbuf has no keys"); }
}
