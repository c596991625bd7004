// Loaded only by browsers without ES modules: say so plainly instead of showing a dead page.
(function () {
  var main = document.getElementById('app');
  if (main) {
    main.innerHTML = '';
    var p = document.createElement('p');
    p.className = 'warning';
    p.appendChild(document.createTextNode('这个浏览器版本太旧，无法使用本页。请升级微信或用手机自带浏览器打开。This browser is too old for this page; update WeChat or use the phone\u2019s own browser.'));
    main.appendChild(p);
  }
})();
