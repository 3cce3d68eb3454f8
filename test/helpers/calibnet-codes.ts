// Calibnet's actors v18 bundle (network version 28): its manifest CID and its actors' code CIDs, as
// Lotus embeds them (build/builtin_actors_gen.go, "calibrationnet", BundleGitTag v18.0.0). Tests make
// an upstream look like calibnet with them.
import { CID } from 'multiformats/cid';

export const CALIBNET_MANIFEST_CID = CID.parse('bafy2bzacebkfatnbe6w4rj7lf6gkjh7mywlrpdh2dj6hu2dl4rmtwksszm2hs');

export const CALIBNET_CODES: Record<string, string> = {
  account: 'bafk2bzaceaaekrmq3cqnzokwmuksgr7vqgslpm67blh3fhj4cwgnk5vgoksam',
  cron: 'bafk2bzacea6qt5zk7n6z3xg3mn6rbd54ijnzqkz7mdt4vinjclylgp44unau6',
  datacap: 'bafk2bzaced6f3eomhaanxsrgwxp7oienjh7baramvz42kw5swszcpo44gay5m',
  eam: 'bafk2bzacedwo54emfh7xdayrnojvbighqdwvqcmaatovcnvfm3b3oouwpdzi6',
  ethaccount: 'bafk2bzaceduuafkwihklhnrwrcjvembs2t24mayoy54dy4pw65tnozzqikdbs',
  evm: 'bafk2bzaceb63lj5qyx6hrtagl4mlqla6rb2ligpeglurhfvn2avubim62oyxc',
  init: 'bafk2bzaceckaapwi22d56nqlnieqapwaqmicv7oqtbuowa4vfrckqr465eank',
  multisig: 'bafk2bzacechrsbw65ojbktr63swju5g7275fl3lxminrz7damr4me6wq6fjxm',
  paymentchannel: 'bafk2bzacecycr25bi4fqwpkrkyiarch3qlhakt6l5linxrs4vpjzv5a3a55rg',
  placeholder: 'bafk2bzacedfvut2myeleyq67fljcrw4kkmn5pb5dpyozovj7jpoez5irnc3ro',
  reward: 'bafk2bzacebr7cct7gottmvpd4ye5av5rbeoqhhlniyizu3tdoia2v3jzgzib2',
  storagemarket: 'bafk2bzaceabzd7bytvpvamtunoqsbjlhhtu52vrshvel4hc4i7p52qkzuuubk',
  storageminer: 'bafk2bzacedmjs2a62u5isgkewjaik6zxq3obrowalnb2vvkmipomro2rvesh2',
  storagepower: 'bafk2bzacec44gnb4mttxdquf4v565figj5l4oquggy5eoftwgdvvsmeeqhtnu',
  system: 'bafk2bzacecq366vuipuunlityjeaj7q7iexemcpkv7b5netouxcow4qr4cr6c',
  verifiedregistry: 'bafk2bzaceb6slpid3f7miqz6kylytd2azlngbce2jsa7p2cos3ejnixxat5cu',
};
