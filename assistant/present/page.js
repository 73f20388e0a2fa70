// Clicking [n] in any answer (this panel's or an earlier one's) brings card n of that answer
// into view and emphasises it; folded cards are unfolded first.
if (!window.__newsCitationClicks) {
  window.__newsCitationClicks = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest && event.target.closest('a[href^="#cite-"]');
    if (!link) return;
    event.preventDefault();
    const card = document.getElementById(link.getAttribute('href').slice(1));
    if (!card) return;
    for (let node = card.parentElement; node; node = node.parentElement) {
      if (node.tagName === 'DETAILS') node.open = true;
    }
    document.querySelectorAll('.card.emphasised').forEach((c) => c.classList.remove('emphasised'));
    card.classList.add('emphasised');
    card.scrollIntoView({behavior: 'smooth', block: 'center'});
  }, true);
}
