package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/** Unpooled heap buffers that remember themselves, so a test can check that all were released. */
final class TrackingAllocator extends AbstractByteBufAllocator {

  private final List<ByteBuf> allocated = new ArrayList<>();

  TrackingAllocator() {
    super(false);
  }

  @Override
  protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
    ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    allocated.add(buf);
    return buf;
  }

  @Override
  protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
    return newHeapBuffer(initialCapacity, maxCapacity);
  }

  @Override
  public boolean isDirectBufferPooled() {
    return false;
  }

  /** A buffer holding these octets. */
  ByteBuf copyOf(byte[] bytes, int from, int to) {
    return heapBuffer(Math.max(1, to - from)).writeBytes(bytes, from, to - from);
  }

  int allocations() {
    return allocated.size();
  }

  /** Buffers not released yet. */
  long live() {
    return allocated.stream().filter(b -> b.refCnt() > 0).count();
  }

  void assertAllReleased() {
    assertThat(live()).as("buffers still referenced out of %d", allocated.size()).isZero();
  }
}
