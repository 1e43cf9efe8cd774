package io.smtpprotocol.server;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** PROXY protocol headers as a proxy writes them, built from the specification's layout. */
final class ProxyHeaders {

  /** The v2 signature, the first 12 octets of every binary header. */
  static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  /** Version 2, command PROXY. */
  static final int PROXY = 0x21;

  /** Version 2, command LOCAL. */
  static final int LOCAL = 0x20;

  /** Address family and transport: unspecified, TCP over IPv4, TCP over IPv6. */
  static final int UNSPEC = 0x00;

  static final int TCP4 = 0x11;
  static final int TCP6 = 0x21;

  private ProxyHeaders() {}

  /** A v1 line; the CRLF is added. */
  static byte[] v1(String line) {
    return (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** A v2 PROXY header for TCP from {@code source} to {@code destination}. */
  static byte[] v2(String source, int sourcePort, String destination, int destinationPort) {
    byte[] src = literal(source);
    byte[] dst = literal(destination);
    ByteBuffer addresses = ByteBuffer.allocate(src.length * 2 + 4);
    addresses.put(src).put(dst).putShort((short) sourcePort).putShort((short) destinationPort);
    return v2(PROXY, src.length == 4 ? TCP4 : TCP6, addresses.array());
  }

  /** A v2 header from its parts: version and command, family and transport, address block. */
  static byte[] v2(int versionAndCommand, int familyAndTransport, byte[] addresses) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(V2_SIGNATURE);
    out.write(versionAndCommand);
    out.write(familyAndTransport);
    out.write(addresses.length >> 8);
    out.write(addresses.length & 0xFF);
    out.writeBytes(addresses);
    return out.toByteArray();
  }

  /** A v2 LOCAL header, as a proxy's health check sends it. */
  static byte[] v2Local() {
    return v2(LOCAL, UNSPEC, new byte[0]);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] both = new byte[a.length + b.length];
    System.arraycopy(a, 0, both, 0, a.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static byte[] literal(String address) {
    try {
      return InetAddress.getByName(address).getAddress(); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(address, e);
    }
  }
}
