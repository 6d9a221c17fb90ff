// The audit page's inline style and script: no framework, no build step, nothing fetched.

/** How many lane colours the style defines; lane n uses colour n modulo this. */
export const LANE_COLOURS = 6;

export const PAGE_CSS = `
:root{--fg:#1b1f24;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--line:#d1d9e0;--add:#1a7f37;--del:#cf222e;--set:#9a6700;
--drift:#bc4c00;--drift-bg:#fff1e5;--warn:#9a6700;--warn-bg:#fff8c5;--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;
--l0:#0969da;--l1:#8250df;--l2:#1a7f37;--l3:#bf3989;--l4:#9a6700;--l5:#0a7b83}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--panel:#151b23;--line:#3d444d;
--add:#3fb950;--del:#f85149;--set:#d29922;--drift:#f0883e;--drift-bg:#2b1d12;--warn:#d29922;--warn-bg:#272115;--ok:#3fb950;
--ok-bg:#12261e;--bad:#f85149;--bad-bg:#2d1416;--l0:#4493f8;--l1:#ab7df8;--l2:#3fb950;--l3:#db61a2;--l4:#d29922;--l5:#39c5cf}}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0}
code,.mono,time{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.summary{margin:4px 0 12px;color:var(--muted)}
.verify{border:1px solid var(--line);border-radius:6px;padding:8px 12px;margin:12px 0}
.verify.ok{background:var(--ok-bg);border-color:var(--ok)}.verify.bad{background:var(--bad-bg);border-color:var(--bad)}
.verify h2{font-size:15px}.verify ul{margin:6px 0 0;padding-left:20px}
.tools{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:12px 0;position:sticky;top:0;background:var(--bg);padding:8px 0;z-index:1;border-bottom:1px solid var(--line)}
#filter{font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:6px;min-width:16em;flex:1 1 16em;max-width:28em;background:var(--bg);color:var(--fg)}
.env{border:1px solid var(--line);border-radius:6px;margin:12px 0;padding:10px 12px;background:var(--bg)}
.env.archived{opacity:.6;background:var(--panel)}
.env.archived .env-name{text-decoration:line-through;text-decoration-thickness:1px}
.env-head{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline}
.tag{display:inline-block;font-size:11.5px;font-weight:600;padding:0 6px;border-radius:10px;border:1px solid var(--line);color:var(--muted);vertical-align:1px}
.tag.drift{color:var(--drift);border-color:var(--drift);background:var(--drift-bg)}
.tag.widen{color:var(--warn);border-color:var(--warn);background:var(--warn-bg)}
.tag.sessions{color:var(--l0);border-color:var(--l0)}
.lanes{list-style:none;margin:8px 0;padding:0;display:grid;gap:2px;max-height:16em;overflow:auto}
.lane{display:flex;flex-wrap:wrap;gap:2px 10px;align-items:baseline}
.lane.archived{color:var(--muted)}
.swatch{display:inline-block;width:10px;height:10px;border-radius:50%;align-self:center}
.lane.archived .swatch{background:transparent!important;border:2px solid var(--muted)}
.c0{--c:var(--l0)}.c1{--c:var(--l1)}.c2{--c:var(--l2)}.c3{--c:var(--l3)}.c4{--c:var(--l4)}.c5{--c:var(--l5)}
.swatch{background:var(--c)}
details.steps>summary{cursor:pointer;color:var(--muted);margin:4px 0}
.timeline{list-style:none;margin:0;padding:0}
.step{display:flex;align-items:stretch;gap:8px;border-top:1px solid var(--line)}
.step:first-child{border-top:0}
.rail{display:flex;flex:none;max-width:35%;overflow:hidden}
.rail i{position:relative;width:14px;flex:none}
.rail i.line::before,.rail i.dot::before,.rail i.end::before,.rail i.start::before{content:"";position:absolute;left:6px;width:2px;background:var(--c)}
.rail i.line::before{top:0;bottom:0}
.rail i.dot::before{top:0;bottom:0}
.rail i.start::before{top:13px;bottom:0}
.rail i.end::before{top:0;height:13px}
.rail i.only::before{display:none}
.rail i.dot::after,.rail i.start::after,.rail i.end::after{content:"";position:absolute;left:2px;top:9px;width:10px;height:10px;border-radius:50%;background:var(--c);border:2px solid var(--bg)}
.rail i.archived::after{background:var(--bg);border-color:var(--muted)}
.step.drift .rail i.dot::after{border-radius:2px;transform:rotate(45deg);background:var(--drift)}
.step-body{flex:1;min-width:0;padding:4px 0}
.step-body>summary{cursor:pointer;display:flex;flex-wrap:wrap;gap:2px 10px;align-items:baseline;list-style:none}
.step-body>summary::-webkit-details-marker{display:none}
.step-body>summary::before{content:"▸";color:var(--muted);width:1em}
.step-body[open]>summary::before{content:"▾"}
.mark{font-weight:700;min-width:2.4em;display:inline-block;font-family:ui-monospace,monospace}
.op-create .mark{color:var(--add)}.op-update .mark{color:var(--set)}.op-adopt .mark{color:var(--l0)}
.op-recreate .mark,.op-archive .mark{color:var(--del)}
.step.drift{background:var(--drift-bg)}
.step.drift .mark,.step.drift .label{color:var(--drift);font-weight:700}
.id,.hash{color:var(--muted)}
.detail{margin:6px 0 6px 1em;padding:6px 10px;background:var(--panel);border-radius:6px;overflow-wrap:anywhere}
.detail p{margin:2px 0}
.changes,.widening{list-style:none;margin:4px 0;padding:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.changes .add{color:var(--add)}.changes .remove{color:var(--del)}.changes .set{color:var(--set)}
.changes .mark{min-width:1.5em}
.widening li{color:var(--warn);font-weight:600}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:0 12px;margin:4px 0}
.facts dt{color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.more{font:inherit;margin:6px 0;padding:4px 10px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
a{color:var(--l0)}
[hidden]{display:none!important}
@media (max-width:640px){main{padding:8px}.tools{position:static}#filter{min-width:0;width:100%;max-width:none}
.step-body>summary{gap:0 8px}.id{display:none}.facts{grid-template-columns:1fr}.facts dd{margin-bottom:4px}}
@media print{:root{--bg:#fff;--fg:#000;--panel:#fff}.tools,.more,noscript{display:none!important}
body{font-size:11px}main{max-width:none;padding:0}.env{break-inside:avoid-page;border-color:#999}
.step{break-inside:avoid}.step.drift{background:none;border-left:3px solid var(--drift)}
.env.archived{opacity:1;color:#555}.verify{background:none!important}a{color:inherit;text-decoration:none}
a[href]::after{content:" (" attr(href) ")";font-size:9px;color:#555}}
`;

/**
 * Draws step rows from the embedded JSON when a section opens (in pages of STEP_PAGE rows), a step's
 * details when it opens, filters sections by name, and opens everything for printing when the history is
 * small enough. Every string goes in through textContent or an attribute setter, never as markup.
 */
export const PAGE_SCRIPT = `
(function(){'use strict';
var STEP_PAGE=200,PRINT_LIMIT=5000;
var data=JSON.parse(document.getElementById('envsync-data').textContent);
function short(h){return h==='-'?h:h.replace(/^sha256:/,'').slice(0,8);}
function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=String(text);return e;}
function rail(env,row,step){var r=el('span','rail'),cells=[];r.setAttribute('aria-hidden','true');
for(var k=0;k<env.W;k++)cells.push('');
for(var j=0;j<env.L.length;j++){var lane=env.L[j],from=lane[0],to=lane[1],archived=lane[2],c;
if(row<from||row>to)continue;
if(step.l===j){c=from===to?'dot only':row===from?'start':row===to&&archived?'end':'dot';if(archived&&row===to)c+=' archived';}
else c='line';cells[lane[3]]=c+' c'+(j%${LANE_COLOURS});}
for(var m=0;m<cells.length;m++)r.appendChild(el('i',cells[m]));
return r;}
function detail(env,step){var d=el('div','detail');
for(var i=0;i<step.n.length;i++)d.appendChild(el('p','note',step.n[i]));
if(step.w.length){var w=el('ul','widening');for(var k=0;k<step.w.length;k++)w.appendChild(el('li','','\\u26a0 widens network access: '+step.w[k]));d.appendChild(w);}
if(step.d.length){var ul=el('ul','changes');for(var j=0;j<step.d.length;j++){var ch=step.d[j];
var li=el('li',ch[0]==='+'?'add':ch[0]==='-'?'remove':'set');li.appendChild(el('span','mark',ch[0]));li.appendChild(document.createTextNode(' '+ch[1]));ul.appendChild(li);}d.appendChild(ul);}
else d.appendChild(el('p','muted','no field changes'));
var f=el('dl','facts');function fact(k,v){if(v==null||v==='')return null;f.appendChild(el('dt','',k));var dd=el('dd','mono');if(typeof v==='string')dd.textContent=v;else dd.appendChild(v);f.appendChild(dd);return dd;}
fact('env ID',env.L[step.l][4]);fact('config hash',step.H);fact('by',step.a);
if(step.C){if(step.u){var a=el('a','',step.C);a.href=step.u;a.rel='noopener noreferrer';fact('commit',a);}else fact('commit',step.C);}
fact('plan',step.p);fact('seq',String(step.q));if(step.s!==null)fact('sessions',String(step.s));
d.appendChild(f);return d;}
function openStep(body){if(!body.filled){body.filled=true;body.appendChild(detail(body.env,body.step));}body.open=true;}
function row(env,i){var step=env.S[i],li=el('li','step op-'+step.o+(step.o==='drift'?' drift':'')+(step.w.length?' widen':''));
li.appendChild(rail(env,i,step));var body=el('details','step-body'),sum=el('summary');
sum.appendChild(el('time','',step.t));sum.appendChild(el('span','mark',step.m));sum.appendChild(el('span','label',step.k));
sum.appendChild(el('code','id',env.L[step.l][4]));sum.appendChild(el('code','hash',short(step.H)));sum.appendChild(el('span','who','by '+step.a));
if(step.C){var c=step.C.slice(0,7);if(step.u){var a=el('a','commit mono',c);a.href=step.u;a.rel='noopener noreferrer';sum.appendChild(a);}else sum.appendChild(el('span','commit mono',c));}
else sum.appendChild(el('span','commit muted','no commit'));
if(step.o==='drift')sum.appendChild(el('span','tag drift','drift: changed outside envsync'));
if(step.w.length)sum.appendChild(el('span','tag widen','\\u26a0 widens network'));
if(step.s!==null)sum.appendChild(el('span','tag sessions',step.s+(step.s===1?' session':' sessions')));
body.appendChild(sum);body.step=step;body.env=env;body.addEventListener('toggle',function(){if(body.open)openStep(body);});
li.appendChild(body);return li;}
function more(env,list,box){var start=list.children.length,end=Math.min(env.S.length,start+STEP_PAGE);
for(var i=start;i<end;i++)list.appendChild(row(env,i));
var old=box.querySelector('button.more');if(old)old.remove();
if(end<env.S.length){var b=el('button','more','Show '+Math.min(STEP_PAGE,env.S.length-end)+' more ('+(env.S.length-end)+' left)');b.type='button';
b.addEventListener('click',function(){more(env,list,box);});box.appendChild(b);}}
function fill(box,all){var env=data.envs[Number(box.getAttribute('data-env'))],list=box.querySelector('ol.timeline');
if(!box.filled){box.filled=true;more(env,list,box);}while(all&&list.children.length<env.S.length)more(env,list,box);}
var boxes=document.querySelectorAll('details.steps');
for(var b=0;b<boxes.length;b++){(function(box){if(box.open)fill(box,false);box.addEventListener('toggle',function(){if(box.open)fill(box,false);});})(boxes[b]);}
var filter=document.getElementById('filter'),archived=document.getElementById('show-archived'),count=document.getElementById('filter-count');
var sections=document.querySelectorAll('section.env');
function apply(){var q=filter.value.trim().toLowerCase(),shown=0;
for(var i=0;i<sections.length;i++){var s=sections[i],env=data.envs[Number(s.getAttribute('data-env'))];
var hide=(q&&env.n.toLowerCase().indexOf(q)<0)||(!archived.checked&&env.A);s.hidden=!!hide;if(!hide)shown++;}
count.textContent=shown+' of '+sections.length+' shown';}
filter.addEventListener('input',apply);archived.addEventListener('change',apply);apply();
window.addEventListener('beforeprint',function(){if(data.total>PRINT_LIMIT)return;
for(var i=0;i<boxes.length;i++){boxes[i].open=true;fill(boxes[i],true);
var steps=boxes[i].querySelectorAll('details.step-body');for(var j=0;j<steps.length;j++)openStep(steps[j]);}});
})();
`;
