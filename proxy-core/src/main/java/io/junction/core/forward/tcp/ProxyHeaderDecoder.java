package io.junction.core.forward.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's PROXY protocol decoder (v1 and v2, told apart by their signatures), refusing a peer from its first wrong
 * byte. Netty's decoder needs 13 bytes before it looks, and takes anything that is not a v2 signature for a v1 line:
 * a peer that sent {@code "hi\r\n"} and waited would only be closed at the timeout. Here each byte is checked against
 * the v1 ({@code "PROXY "}) or v2 signature as it arrives, and a mismatch is reported as a
 * {@link HAProxyProtocolException}, as the decoder reports a malformed header. Like Netty's decoder, it removes
 * itself once the header is decoded and hands the bytes after it to the next handler.
 *
 * <p>Event-loop confined (one per connection).
 */
final class ProxyHeaderDecoder extends HAProxyMessageDecoder {
    private static final byte[] V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** The signature the first byte chose; null before it. */
    private byte[] signature;
    private int checked;
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf && !signatureChecked() && !signatureMatches(buf)) {
            refused = true;
            buf.release();
            ctx.fireExceptionCaught(new HAProxyProtocolException("not a PROXY protocol v1 or v2 signature"));
            return;
        }
        super.channelRead(ctx, msg);
    }

    private boolean signatureChecked() {
        return signature != null && checked == signature.length;
    }

    /** Checks the bytes of {@code buf} (not consumed) that are still within the signature. */
    private boolean signatureMatches(ByteBuf buf) {
        for (int i = buf.readerIndex(); i < buf.writerIndex() && !signatureChecked(); i++) {
            byte b = buf.getByte(i);
            if (signature == null) {
                signature = b == V1_SIGNATURE[0] ? V1_SIGNATURE : b == V2_SIGNATURE[0] ? V2_SIGNATURE : null;
                if (signature == null) {
                    return false;
                }
            }
            if (b != signature[checked]) {
                return false;
            }
            checked++;
        }
        return true;
    }
}
