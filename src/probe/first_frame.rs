//! Decoding the first frame of one stream, for facts only the bitstream holds.

use super::ffi_util::error_string;
use super::open::Demuxer;
use ffmpeg_next::ffi;
use std::ptr;

/// Most packets read while looking for the first frame of a stream.
const MAX_PACKETS: usize = 500;

/// Owned FFmpeg objects freed on drop.
struct Decoder {
    ctx: *mut ffi::AVCodecContext,
    packet: *mut ffi::AVPacket,
    frame: *mut ffi::AVFrame,
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: each pointer is NULL or owned by us; the free functions accept NULL.
        unsafe {
            ffi::av_frame_free(&mut self.frame);
            ffi::av_packet_free(&mut self.packet);
            ffi::avcodec_free_context(&mut self.ctx);
        }
    }
}

/// Decodes the first frame of stream `index` and hands it to `inspect`.
/// `Ok(None)` when no frame could be decoded from the first packets.
pub fn decode_first_frame<T>(
    demuxer: &Demuxer,
    index: usize,
    inspect: impl FnOnce(*const ffi::AVFrame) -> T,
) -> Result<Option<T>, String> {
    let st = *demuxer.streams().get(index).ok_or("no such stream")?;
    // SAFETY: standard libavcodec decode sequence on an open stream; every
    // object is owned by `dec` and freed on every path.
    unsafe {
        let par = (*st).codecpar;
        let codec = ffi::avcodec_find_decoder((*par).codec_id);
        if codec.is_null() {
            return Err("FFmpeg has no decoder for this codec".into());
        }
        let dec = Decoder {
            ctx: ffi::avcodec_alloc_context3(codec),
            packet: ffi::av_packet_alloc(),
            frame: ffi::av_frame_alloc(),
        };
        if dec.ctx.is_null() || dec.packet.is_null() || dec.frame.is_null() {
            return Err("out of memory".into());
        }
        check(ffi::avcodec_parameters_to_context(dec.ctx, par))?;
        (*dec.ctx).thread_count = 1;
        check(ffi::avcodec_open2(dec.ctx, codec, ptr::null_mut()))?;
        for _ in 0..MAX_PACKETS {
            let ret = ffi::av_read_frame(demuxer.ctx(), dec.packet);
            if ret < 0 {
                ffi::avcodec_send_packet(dec.ctx, ptr::null());
            } else if (*dec.packet).stream_index as usize != index {
                ffi::av_packet_unref(dec.packet);
                continue;
            } else {
                ffi::avcodec_send_packet(dec.ctx, dec.packet);
                ffi::av_packet_unref(dec.packet);
            }
            if ffi::avcodec_receive_frame(dec.ctx, dec.frame) >= 0 {
                return Ok(Some(inspect(dec.frame)));
            }
            if ret < 0 {
                break;
            }
        }
        Ok(None)
    }
}

fn check(ret: i32) -> Result<(), String> {
    if ret < 0 {
        Err(error_string(ret))
    } else {
        Ok(())
    }
}
