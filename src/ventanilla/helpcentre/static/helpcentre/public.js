/* Pages of the help centre: a choice of language takes effect when made (the pages' policy
   allows no inline handler; without script, the button beside it does the same). */
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-submit-on-change]")) field.form.submit();
});
