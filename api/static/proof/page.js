// The /proof/ page: reads a proof file (or pasted text), the optional photos and keys, and
// shows what the proof states and whether it holds. No network: the published keys are in the
// page itself.
import { verifyBundle, photoMatches, forceEngine, lastEngine } from './verify.js';

const $ = (id) => document.getElementById(id);
if (location.hash === '#engine=noble') forceEngine('noble');

const KIND_ZH = {
  'report.submitted': '报告已提交并保存',
  'report.accepted': '报告已受理',
  'hazard.plan_deadline': '确定整改期限',
  'hazard.closed': '隐患已销号',
  'report.escalated': '已上报应急管理部门',
};
const REASON_ZH = {
  format: '不是清零举报凭证，或文件已损坏',
  unknown_key: '签名密钥不在公钥列表中',
  validity: '凭证时间不在签名密钥的有效期内',
  signature: '签名不符：凭证内容被改动过，或并非本平台签发',
};

function publishedKeys() {
  try { return JSON.parse($('published-keys').textContent).keys || []; } catch (e) { return []; }
}

function beijing(iso) {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const b = new Date(t.getTime() + 8 * 3600 * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return `${b}（北京时间）`;
}

function row(dl, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dl.append(dt, dd);
}

async function readText(file) { return file.text(); }

async function run() {
  const out = $('result');
  out.replaceChildren();
  out.className = '';
  let text = $('paste').value.trim();
  const file = $('proof-file').files[0];
  if (file) text = await readText(file);
  if (!text) { out.textContent = '请选择凭证文件，或粘贴凭证内容。'; return; }
  let content;
  try { content = JSON.parse(text); } catch (e) { out.className = 'bad'; out.textContent = '✘ 无法读取：不是 JSON 文件。'; return; }
  let keys = publishedKeys();
  const keyFile = $('keys-file').files[0];
  if (keyFile) {
    try { keys = JSON.parse(await keyFile.text()).keys || []; } catch (e) { out.className = 'bad'; out.textContent = '✘ 公钥文件无法读取。'; return; }
  }
  const verdict = await verifyBundle(content, keys);
  const head = document.createElement('p');
  head.id = 'verdict';
  head.className = verdict.ok ? 'good' : 'bad';
  head.textContent = verdict.ok ? '✔ 凭证有效：签名核验通过' : '✘ 凭证无效';
  out.append(head);
  for (const r of verdict.results) {
    const sec = document.createElement('section');
    sec.className = r.ok ? 'proof good' : 'proof bad';
    const h = document.createElement('h3');
    h.textContent = (KIND_ZH[r.doc && r.doc.kind] || '未知凭证') + (r.ok ? ' — 有效' : ' — ' + (REASON_ZH[r.reason] || '无效'));
    sec.append(h);
    if (r.doc && typeof r.doc === 'object') {
      const dl = document.createElement('dl');
      if (r.doc.enterprise) row(dl, '企业', `${r.doc.enterprise.name}（统一社会信用代码 ${r.doc.enterprise.credit_code}）`);
      row(dl, '报告编号', r.doc.report_id || '');
      row(dl, '时间', `${r.doc.at}（UTC），${beijing(r.doc.at)}`);
      if (r.doc.suspected_level) row(dl, '报告人建议等级', r.doc.suspected_level === 'major' ? '重大隐患' : '一般隐患');
      if (Array.isArray(r.doc.photos)) row(dl, '照片', `${r.doc.photos.length} 张`);
      if (r.doc.details) for (const [k, v] of Object.entries(r.doc.details)) row(dl, k, v);
      row(dl, '签名密钥', r.doc.key_id || '');
      sec.append(dl);
    }
    out.append(sec);
  }
  if (verdict.chain === 'ok') { const p = document.createElement('p'); p.id = 'chain'; p.className = 'good'; p.textContent = '✔ 后续凭证都指向同一份首次提交凭证'; out.append(p); }
  if (verdict.chain === 'broken') { const p = document.createElement('p'); p.id = 'chain'; p.className = 'bad'; p.textContent = '✘ 有凭证不属于这份报告的首次提交凭证'; out.append(p); }
  const photos = Array.from($('photos').files);
  for (const f of photos) {
    const ok = await photoMatches(content, await f.arrayBuffer());
    const p = document.createElement('p');
    p.className = ok ? 'photo good' : 'photo bad';
    p.textContent = ok ? `✔ 照片 ${f.name} 与凭证中的照片一致` : `✘ 照片 ${f.name} 与凭证中的任何照片都不一致`;
    out.append(p);
  }
  const eng = document.createElement('p');
  eng.id = 'engine';
  eng.className = 'muted';
  eng.dataset.engine = lastEngine || '';
  eng.textContent = lastEngine === 'webcrypto' ? '由浏览器内置的 WebCrypto 核验，未联网。' : '由页面内置的 JavaScript 核验程序（@noble/ed25519）核验，未联网。';
  out.append(eng);
}

$('verify').addEventListener('click', () => { run().catch((e) => { $('result').textContent = '核验出错：' + e.message; }); });
