{
  # The mediaplane addon. OpenSSL and libuv are NOT linked: their headers come from
  # Node's own include directory (node-gyp puts it on the path) and their symbols from
  # the `node` binary that loads the addon. libsrtp is compiled from its release source
  # (deps/fetch-libsrtp.js obtains it) as a static library.
  #
  # mediaplane_sanitize=1 (`node-gyp rebuild -- -Dmediaplane_sanitize=1`): a test-only
  # ASan + UBSan build, made by scripts/build-sanitized.js in build-asan/ and loaded
  # through MEDIAPLANE_ADDON_PATH by test/sanitized-socket.test.js; 2: ThreadSanitizer,
  # in build-tsan/, for test/sanitized-thread.test.js. Never shipped.
  "variables": {
    "mediaplane_sanitize%": 0
  },
  "targets": [
    {
      "target_name": "mediaplane",
      "dependencies": ["deps/libsrtp.gyp:libsrtp"],
      "sources": [
        "src/cpp/addon/Addon.cpp",
        "src/cpp/addon/DtlsBinding.cpp",
        "src/cpp/addon/NativeWorker.cpp",
        "src/cpp/addon/PipeLinkBinding.cpp",
        "src/cpp/addon/SrtpBinding.cpp",
        "src/cpp/addon/ValueConversion.cpp",
        "src/cpp/engine/bwe/AcknowledgedBitrateEstimator.cpp",
        "src/cpp/engine/bwe/AimdRateControl.cpp",
        "src/cpp/engine/bwe/InterArrival.cpp",
        "src/cpp/engine/bwe/LossBasedController.cpp",
        "src/cpp/engine/bwe/OveruseDetector.cpp",
        "src/cpp/engine/bwe/PacingBudget.cpp",
        "src/cpp/engine/bwe/ProbeBitrateEstimator.cpp",
        "src/cpp/engine/bwe/ProbeController.cpp",
        "src/cpp/engine/bwe/SendSideEstimator.cpp",
        "src/cpp/engine/bwe/SentPacketHistory.cpp",
        "src/cpp/engine/bwe/TrendlineEstimator.cpp",
        "src/cpp/engine/channel/Channel.cpp",
        "src/cpp/engine/channel/Method.cpp",
        "src/cpp/engine/common/CallbackGuard.cpp",
        "src/cpp/engine/common/JsonReader.cpp",
        "src/cpp/engine/common/Logger.cpp",
        "src/cpp/engine/common/RateCalculator.cpp",
        "src/cpp/engine/common/Timer.cpp",
        "src/cpp/engine/common/Value.cpp",
        "src/cpp/engine/data/DataConsumer.cpp",
        "src/cpp/engine/data/DataProducer.cpp",
        "src/cpp/engine/data/SctpStreamParameters.cpp",
        "src/cpp/engine/dtls/DtlsCertificate.cpp",
        "src/cpp/engine/dtls/DtlsTransport.cpp",
        "src/cpp/engine/dtls/DtlsRecordScreen.cpp",
        "src/cpp/engine/ice/IceServer.cpp",
        "src/cpp/engine/ice/StunMessage.cpp",
        "src/cpp/engine/net/ListenInfo.cpp",
        "src/cpp/engine/net/Rfc4571Framer.cpp",
        "src/cpp/engine/net/TcpConnection.cpp",
        "src/cpp/engine/net/TcpServer.cpp",
        "src/cpp/engine/net/TransportTuple.cpp",
        "src/cpp/engine/net/UdpSocket.cpp",
        "src/cpp/engine/net/UdpSendBatcher.cpp",
        "src/cpp/engine/net/IoUringRing.cpp",
        "src/cpp/engine/net/InProcessPipeLink.cpp",
        "src/cpp/engine/common/SpscDatagramRing.cpp",
        "src/cpp/engine/observer/ActiveSpeakerObserver.cpp",
        "src/cpp/engine/observer/AudioLevelObserver.cpp",
        "src/cpp/engine/observer/DominantSpeakerDetector.cpp",
        "src/cpp/engine/observer/RtpObserver.cpp",
        "src/cpp/engine/router/Router.cpp",
        "src/cpp/engine/rtc/Consumer.cpp",
        "src/cpp/engine/rtc/LayerSelector.cpp",
        "src/cpp/engine/rtc/Producer.cpp",
        "src/cpp/engine/rtc/RtpStreamRewriter.cpp",
        "src/cpp/engine/rtc/ScalabilityMode.cpp",
        "src/cpp/engine/rtc/SimulcastLayers.cpp",
        "src/cpp/engine/rtc/StreamTraceEvents.cpp",
        "src/cpp/engine/rtc/SvcLayers.cpp",
        "src/cpp/engine/rtc/Vp8PictureRewriter.cpp",
        "src/cpp/engine/rtcp/FullIntraRequest.cpp",
        "src/cpp/engine/rtcp/GenericNack.cpp",
        "src/cpp/engine/rtcp/Goodbye.cpp",
        "src/cpp/engine/rtcp/NtpTimestamp.cpp",
        "src/cpp/engine/rtcp/PictureLossIndication.cpp",
        "src/cpp/engine/rtcp/ReceiverEstimatedMaxBitrate.cpp",
        "src/cpp/engine/rtcp/ReceiverReport.cpp",
        "src/cpp/engine/rtcp/ReportBlock.cpp",
        "src/cpp/engine/rtcp/RtcpCompoundBuilder.cpp",
        "src/cpp/engine/rtcp/RtcpCompoundParser.cpp",
        "src/cpp/engine/rtcp/RtcpPacketView.cpp",
        "src/cpp/engine/rtcp/SenderReport.cpp",
        "src/cpp/engine/rtcp/SourceDescription.cpp",
        "src/cpp/engine/rtcp/TransportCcFeedback.cpp",
        "src/cpp/engine/rtp/NackGenerator.cpp",
        "src/cpp/engine/rtp/RetransmissionBuffer.cpp",
        "src/cpp/engine/rtp/RtpHeaderExtensions.cpp",
        "src/cpp/engine/rtp/RtpPacket.cpp",
        "src/cpp/engine/rtp/RtpPacketWriter.cpp",
        "src/cpp/engine/rtp/RtpSequenceValidator.cpp",
        "src/cpp/engine/rtp/RtpStreamRecv.cpp",
        "src/cpp/engine/rtp/RtpStreamSend.cpp",
        "src/cpp/engine/rtp/SharedPacketBytes.cpp",
        "src/cpp/engine/rtp/codecs/Av1Payload.cpp",
        "src/cpp/engine/rtp/codecs/CodecType.cpp",
        "src/cpp/engine/rtp/codecs/H264Payload.cpp",
        "src/cpp/engine/rtp/codecs/H265Payload.cpp",
        "src/cpp/engine/rtp/codecs/PayloadInspector.cpp",
        "src/cpp/engine/rtp/codecs/Vp8Descriptor.cpp",
        "src/cpp/engine/rtp/codecs/Vp9Descriptor.cpp",
        "src/cpp/engine/sctp/AssociationControl.cpp",
        "src/cpp/engine/sctp/AssociationData.cpp",
        "src/cpp/engine/sctp/AssociationHandshake.cpp",
        "src/cpp/engine/sctp/AssociationShutdown.cpp",
        "src/cpp/engine/sctp/AssociationStreamReset.cpp",
        "src/cpp/engine/sctp/Crc32c.cpp",
        "src/cpp/engine/sctp/DataChannelEstablishment.cpp",
        "src/cpp/engine/sctp/DataReceiver.cpp",
        "src/cpp/engine/sctp/DataSender.cpp",
        "src/cpp/engine/sctp/RetransmissionTimeout.cpp",
        "src/cpp/engine/sctp/SctpAssociation.cpp",
        "src/cpp/engine/sctp/SctpPacket.cpp",
        "src/cpp/engine/sctp/SipHash.cpp",
        "src/cpp/engine/sctp/StateCookie.cpp",
        "src/cpp/engine/sctp/StreamReset.cpp",
        "src/cpp/engine/srtp/SrtpLibrary.cpp",
        "src/cpp/engine/srtp/SrtpSession.cpp",
        "src/cpp/engine/transport/BitrateAllocator.cpp",
        "src/cpp/engine/transport/PacketPacer.cpp",
        "src/cpp/engine/transport/RetransmissionLedger.cpp",
        "src/cpp/engine/transport/DirectTransport.cpp",
        "src/cpp/engine/transport/PlainTransport.cpp",
        "src/cpp/engine/transport/TransportBwe.cpp",
        "src/cpp/engine/transport/TransportData.cpp",
        "src/cpp/engine/transport/Transport.cpp",
        "src/cpp/engine/transport/TransportCcReceiver.cpp",
        "src/cpp/engine/transport/WebRtcServer.cpp",
        "src/cpp/engine/transport/WebRtcTransport.cpp",
        "src/cpp/engine/worker/RequestHandler.cpp",
        "src/cpp/engine/worker/Worker.cpp",
        "src/cpp/engine/worker/WorkerSettings.cpp",
        "src/cpp/engine/worker/WorkerThread.cpp"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        # Any C++ exception leaving an addon entry point (not only Napi::Error) becomes a
        # JavaScript Error instead of unwinding into Node, which would std::terminate.
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-free-nonheap-object"],
      # (-Wno-free-nonheap-object: a GCC 12 false positive on std::variant moves.)
      "cflags": ["-fvisibility=hidden"],
      "conditions": [
        ["mediaplane_sanitize==1", {
          # In the configuration so that -O1 comes after common.gypi's Release -O3.
          "configurations": {
            "Release": {
              "cflags": ["-O1", "-g1", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"],
              "ldflags": ["-fsanitize=address,undefined"]
            }
          }
        }],
        ["mediaplane_sanitize==2", {
          # ThreadSanitizer (scripts/build-sanitized.js --thread, test/sanitized-thread.test.js).
          "configurations": {
            "Release": {
              "cflags": ["-O1", "-g1", "-fno-omit-frame-pointer", "-fsanitize=thread"],
              "ldflags": ["-fsanitize=thread"]
            }
          }
        }]
      ],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
