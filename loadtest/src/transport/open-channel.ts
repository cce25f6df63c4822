import type { Channel, ChannelEvents, Endpoint, TransportName } from './channel.js';
import { TcpChannel } from './tcp-channel.js';
import { UdpChannel } from './udp-channel.js';
import { WsChannel } from './ws-channel.js';

export function openChannel(transport: TransportName, endpoint: Endpoint, localHost: string, events: ChannelEvents): Promise<Channel> {
  switch (transport) {
    case 'udp':
      return UdpChannel.open(endpoint, localHost, events);
    case 'tcp':
      return TcpChannel.open(endpoint, localHost, events);
    case 'ws':
      return WsChannel.open(endpoint, events);
  }
}
